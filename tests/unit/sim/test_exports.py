import ordo.sim


def test_the_package_exports_exactly_its_public_names():
    assert sorted(ordo.sim.__all__) == sorted(set(ordo.sim.__all__))
    for name in ordo.sim.__all__:
        assert getattr(ordo.sim, name) is not None
    assert {"generate_world", "load_world", "simulate", "LiveTraffic", "DemandCurve"} <= set(ordo.sim.__all__)
