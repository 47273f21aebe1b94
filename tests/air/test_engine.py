"""The set-based engine against the plain-Python reference (hypothesis) and the pandas baseline."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ecozone.air import engine
from ecozone.standards.air import reference

N_DAYS = 2
FIRST = 16436


@st.composite
def station_hours(draw: st.DrawFn) -> tuple[engine.StationHours, engine.Network, dict]:
    n_st = draw(st.integers(1, 4))
    city_of = np.array(draw(st.lists(st.integers(0, 1), min_size=n_st, max_size=n_st)), np.int32)
    grid: dict[str, np.ndarray] = {}
    present = np.array(draw(st.lists(st.booleans(), min_size=n_st * N_DAYS * 24,
                                     max_size=n_st * N_DAYS * 24))).reshape(n_st, N_DAYS * 24)
    # gaps: hypothesis chooses holes; most hours present so that validity sits near its edges
    present |= np.array(draw(st.lists(st.booleans(), min_size=present.size, max_size=present.size))
                        ).reshape(present.shape)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    st_idx, hr = np.nonzero(present)
    for p, scale in (("pm25", 120), ("pm10", 200), ("so2", 40), ("no2", 90), ("co", 3), ("o3", 250)):
        v = rng.uniform(0, scale, st_idx.size)
        v = np.round(v, 1) if p == "co" else np.round(v)
        grid[p] = v.astype(np.float32)
    sh = engine.StationHours.from_physical(st_idx.astype(np.int32), (hr + FIRST * 24).astype(np.int32), grid)
    return sh, engine.Network(["A", "B"], city_of), {"present": present}


def _reference_city_days(sh: engine.StationHours, net: engine.Network) -> dict:
    n_st = len(net.city_of)
    phys = sh.physical()
    dense = {p: [[None] * (N_DAYS * 24) for _ in range(n_st)] for p in phys}
    for p, v in phys.items():
        for s, h, x in zip(sh.station.tolist(), sh.hour.tolist(), v.tolist(), strict=True):
            dense[p][s][h - FIRST * 24] = None if x != x else x
    out = {}
    for ci, city in enumerate(net.cities):
        members = [s for s in range(n_st) if net.city_of[s] == ci]
        if not members:
            continue
        for d in range(N_DAYS):
            day = {}
            for p in ("pm25", "pm10", "so2", "no2", "co"):
                vals = [reference.daily_mean(dense[p][s][d * 24:(d + 1) * 24]) for s in members]
                day[p] = reference.mean_if(vals, 1)
            hours = [reference.mean_if([dense["o3"][s][d * 24 + h] for s in members], 1) for h in range(24)]
            got = [x for x in hours if x is not None]
            best1 = max(got) if got else None
            day["o3_1h"] = best1 if best1 is not None and (len(got) >= 20 or best1 > 200) else None
            windows = []
            for j in range(17):
                ws = [reference.mean_if(dense["o3"][s][d * 24 + j:d * 24 + j + 8], 6) for s in members]
                windows.append(reference.mean_if(ws, 1))
            got8 = [w for w in windows if w is not None]
            best = max(got8) if got8 else None
            day["o3_8h"] = best if best is not None and (len(got8) >= 14 or best > 160) else None
            for k, v in day.items():
                if v is not None:
                    day[k] = reference.round_gbt8170(v, 1 if k == "co" else 0)
            day["aqi"] = reference.daily_aqi(day)[0]
            out[(city, d)] = day
    return out


@settings(max_examples=40, deadline=None)
@given(station_hours())
def test_engine_equals_reference(data: tuple) -> None:
    sh, net, _ = data
    cd = engine.city_days(sh, net, FIRST, N_DAYS)
    ref = _reference_city_days(sh, net)
    for ci, city in enumerate(cd.cities):
        for d in range(N_DAYS):
            want = ref[(city, d)]
            for k in ("pm25", "pm10", "so2", "no2", "co", "o3_1h", "o3_8h"):
                got = cd.conc[k][ci, d]
                assert (want[k] is None and np.isnan(got)) or got == want[k], (k, city, d, got, want[k])
            a = cd.aqi[ci, d]
            assert (want["aqi"] is None and np.isnan(a)) or a == want["aqi"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 500, allow_nan=False)), min_size=1, max_size=60),
       st.sampled_from([90, 95, 98]))
def test_percentile_equals_reference(values: list, p: int) -> None:
    from ecozone.standards.air import hj663

    arr = np.array([np.nan if v is None else v for v in values])
    got = hj663.percentile(arr, p)
    want = reference.percentile(values, p)
    assert (want is None and np.isnan(got)) or abs(got - want) < 1e-9


def test_engine_equals_pandas_baseline_on_generated_month() -> None:
    from benchmarks import national

    g = national.generate(40, 8, 45, seed=7)
    mine = national.run_engine(g).to_pandas().set_index("city")
    base = national.run_pandas(g)
    base.index = [g.network.cities[i] for i in base.index]
    for col in ("pm25_mean", "pm10_mean", "so2_mean", "no2_mean", "co_p95", "o3_8h_p90",
                "valid_days", "good_days", "heavy_days"):
        assert np.allclose(mine.loc[base.index, col].astype(float), base[col].astype(float)), col
    assert np.allclose(mine.loc[base.index, "composite_index"], base["composite_index"], atol=0.0101)


def test_benchmark_smoke() -> None:
    from benchmarks import national

    out = national.measure(30, 6, 20, pandas=True, repeat=1)
    assert out["cities_out"] == 6 and out["engine_s"] > 0 and out["pandas_s"] > 0
