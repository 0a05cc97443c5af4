"""The simulator: a seeded, synthetic retail world built through the real services.

A world is built by running a list of steps in order (``world.build``). Each step gets its
own transaction and its own random stream derived from the seed and the step's name, so
the same seed always gives the same world and adding a step never changes what earlier
steps built. Steps write down what they planted in the ``World`` record (ids, logins and,
for later steps, the true rates that analytics must recover).

    organisation   platform admin, business districts, brands, region trees, stores, staff
    (later)        catalog, members, orders, events: each capability adds its own step

``demo.load`` builds the demo world that ``newretail demo`` serves; benchmarks and tests
call ``world.build`` with the steps and plans they need.
"""
