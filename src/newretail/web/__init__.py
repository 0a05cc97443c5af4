"""Server-rendered pages: console, cloud store, POS and the guide's workbench.

How a page is made (the console is the worked example):

- A router with ``route_class=PageRoute`` (``pages.py``): errors become HTML pages, a
  missing or expired session becomes a redirect to ``/login?next=...``.
- Dependencies: ``StaffPage`` (logged-in staff; ``page.caller`` is their ``Scope``) or
  ``PublicPage``; ``PageSessionDep`` (the request's transaction, read-only for GET);
  ``FormDep`` (the posted fields, after the CSRF check).
- The endpoint calls services with the caller's scope, turns the results into plain data
  and answers ``page.render("x.html", ...)`` or ``page.redirect(url, flash=...)``.
- Templates extend ``base.html`` (blocks ``title``, ``nav``, ``content``, ``main_class``,
  ``header``, ``footer``) and use the kit in ``macros/ui.html`` (fields, selects, badges,
  empty states, the language switch) and the classes of ``static/css/app.css`` (``card``,
  ``table table--stack``, ``btn btn--primary``, ``flash``, ``layout-split``...).
- Texts: ``_()``/``ngettext()`` in templates, ``page.gettext("...")`` in Python, ``N_()``
  for texts kept in tables (``messages.py``); then ``make messages`` and translate the
  new entries of ``locale/zh_Hans_CN/LC_MESSAGES/messages.po``.
- Values: ``|money`` (a ``Money``), ``|datetime(tz)`` and ``|date(tz)`` filters.
"""

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Attach the page routes and static assets to ``app``."""
    from fastapi.staticfiles import StaticFiles

    from newretail.web import (
        apidocs,
        cloudstore,
        codes,
        console,
        console_analytics,
        console_audiences,
        console_catalog,
        console_codes,
        console_commission,
        console_content,
        console_coupons,
        console_dings,
        console_forms,
        console_home,
        console_members,
        console_orders,
        console_packages,
        console_presale_setup,
        console_presales,
        console_prices,
        console_products,
        console_promotions,
        console_redemptions,
        console_settlement,
        console_staff,
        console_stock,
        console_targets,
        console_tasks,
        guide,
        guide_earnings,
        guide_messages,
        guide_work,
        guide_work_public,
        media,
        pos,
        router,
        shop_addresses,
        shop_browse,
        shop_coupon,
        shop_guide,
        shop_me,
        shop_offers,
        shop_orders,
        shop_packages,
        shop_presale_delivery,
        shop_presales,
    )
    from newretail.web.templating import STATIC_DIR

    app.include_router(router.router)
    app.include_router(console_home.router)
    app.include_router(console_analytics.router)
    app.include_router(console_audiences.router)
    app.include_router(console.router)
    app.include_router(console_forms.router)
    app.include_router(console_members.router)
    app.include_router(console_codes.router)
    app.include_router(console_settlement.router)
    app.include_router(console_orders.router)
    app.include_router(guide.router)
    app.include_router(guide_messages.router)
    app.include_router(guide_earnings.router)
    app.include_router(guide_work.router)
    app.include_router(guide_work_public.router)
    app.include_router(console_tasks.router)
    app.include_router(console_targets.router)
    app.include_router(console_content.router)
    app.include_router(console_dings.router)
    app.include_router(codes.router)
    app.include_router(pos.router)
    app.include_router(pos.token_router)
    # before the catalog screens: /console/products/new is not /console/products/{id}
    app.include_router(console_products.router)
    app.include_router(console_prices.router)
    app.include_router(console_stock.router)
    app.include_router(console_staff.router)
    app.include_router(console_presale_setup.router)
    app.include_router(console_commission.router)
    app.include_router(console_promotions.router)
    app.include_router(console_redemptions.router)  # before /console/coupons/{id}
    app.include_router(console_coupons.router)
    app.include_router(console_packages.router)
    app.include_router(console_catalog.router)
    app.include_router(shop_browse.router)
    app.include_router(shop_orders.router)
    app.include_router(shop_guide.router)
    app.include_router(shop_me.router)
    app.include_router(shop_offers.router)
    app.include_router(shop_coupon.router)
    app.include_router(shop_packages.router)
    app.include_router(shop_addresses.router)
    app.include_router(shop_presales.router)
    app.include_router(shop_presale_delivery.router)
    app.include_router(console_presales.router)
    app.include_router(cloudstore.router)
    media.mount(app, app.state.settings.media_url)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    apidocs.mount(app)
