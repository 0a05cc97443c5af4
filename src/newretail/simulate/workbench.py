"""The demo brands' workbench: a few tasks from HQ to the whole brand, targets for each
store and guide, HQ content to share and a DING from each store's manager to its guides.

Planted last, from today: deadlines and target periods run from the build on, so the
guide's day and the console's boards show work in progress.
"""

from datetime import date, timedelta

from newretail.db import utcnow
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.simulate.world import BrandRecord, Step, StepContext
from newretail.workbench import service as workbench_service
from newretail.workbench.schemas import ContentCreate, DingCreate, TargetPut, TaskCreate

STEP_NAME = "workbench"
QUIZ = [
    {
        "question": "会员在云店下单，业绩算谁的？",
        "options": ["发货门店", "会员归属门店和导购"],
        "answer": 1,
    },
    {"question": "分享链接多久内成交计入导购？", "options": ["7 天", "30 天"], "answer": 0},
]


def step() -> Step:
    return Step(name=STEP_NAME, run=build, units=1)


def build(ctx: StepContext) -> None:
    for brand in ctx.world.brands.values():
        _tasks(ctx, brand)
        _targets(ctx, brand)
        _content(ctx, brand)
        _dings(ctx, brand)
    ctx.tick(1)


def _tasks(ctx: StepContext, brand: BrandRecord) -> None:
    root = next(iter(brand.regions.values()))
    at = utcnow()
    for body in (
        {"kind": "promotion", "title": "布置本周主题橱窗并拍照", "days": 2},
        {"kind": "training", "title": "业绩归属规则小测验", "quiz": QUIZ, "days": 5},
        {"kind": "recruitment", "title": "本周每人招募 5 名新会员", "goal": 5, "days": 7},
    ):
        days = int(str(body.pop("days")))
        data = TaskCreate.model_validate(
            {
                "brand_id": brand.id,
                "targets": {"regions": [root]},
                "due_at": (at + timedelta(days=days)).isoformat(),
                **body,
            }
        )
        workbench_service.create_task(session=ctx.session, scope=SYSTEM, data=data, now=at)


def _targets(ctx: StepContext, brand: BrandRecord) -> None:
    at = utcnow()
    today = at.date()
    stores = {store.code: store.id for store in brand.stores if store.type != "warehouse"}
    for store_id in stores.values():
        for metric, period, goal in (("sales", "day", 3_000_000), ("new_members", "month", 60)):
            _target(ctx, brand.id, store_id, None, metric, period, goal, today)
    for person in brand.staff:
        if person.role == Role.GUIDE.value and person.store_code in stores:
            _target(
                ctx, brand.id, stores[person.store_code], person.id, "sales", "day", 800_000, today
            )


def _target(
    ctx: StepContext,
    brand_id: int,
    store_id: int,
    guide_id: int | None,
    metric: str,
    period: str,
    goal: int,
    today: date,
) -> None:
    data = TargetPut.model_validate(
        {
            "brand_id": brand_id,
            "store_id": store_id,
            "guide_id": guide_id,
            "metric": metric,
            "period": period,
            "starts_on": str(today),
            "goal": goal,
        }
    )
    workbench_service.put_target(session=ctx.session, scope=SYSTEM, data=data, now=utcnow())


def _content(ctx: StepContext, brand: BrandRecord) -> None:
    featured = brand.catalog.featured[:1]
    product_id = brand.catalog.skus[featured[0]].product_id if featured else None
    items: list[dict[str, object]] = [
        {
            "kind": "article",
            "title": f"{brand.name}本季上新指南",
            "body": "三个搭配要点，帮顾客一次选对。",
        },
        {"kind": "video", "title": "一分钟看懂新品", "video_url": "https://example.com/video/new"},
    ]
    if product_id is not None:
        items.append({"kind": "product", "title": "本周主推单品", "product_id": product_id})
    for item in items:
        data = ContentCreate.model_validate({"brand_id": brand.id, **item})
        workbench_service.publish(session=ctx.session, scope=SYSTEM, data=data, now=utcnow())


def _dings(ctx: StepContext, brand: BrandRecord) -> None:
    managers = [p for p in brand.staff if p.role == Role.STORE_MANAGER.value]
    for manager in managers[:2]:
        guides = [
            p.id
            for p in brand.staff
            if p.role == Role.GUIDE.value and p.store_code == manager.store_code
        ]
        if not guides:
            continue
        store_id = next(s.id for s in brand.stores if s.code == manager.store_code)
        sender = Scope(
            actor_type="staff",
            actor_id=manager.id,
            roles=frozenset({Role.STORE_MANAGER}),
            brand_id=brand.id,
            store_ids=frozenset({store_id}),
        )
        data = DingCreate(body="今天 15:00 店内盘点，请提前整理货架。", recipients=guides)
        workbench_service.send(session=ctx.session, scope=sender, data=data, now=utcnow())
