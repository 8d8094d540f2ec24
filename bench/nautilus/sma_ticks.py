#!/usr/bin/env python3
"""NautilusTrader reference side of the engine benchmark (see bench/README.md).

Runs the spec's `sma-crossover` strategy on the 13 Lean FXCM EURUSD tick files in a Nautilus
``BacktestEngine`` and prints ONE JSON line on stdout:

    {"engine": "nautilus", "events": ..., "seconds": ..., "events_per_sec": ..., "orders": ...,
     "fills": ..., "realized_pnl": ..., "final_position": ..., "peak_rss_mb": ...}

Loading/decoding the ticks into ``QuoteTick`` objects happens before the timed section; the timed
section is ``engine.run()`` only. Sanity checks (fill prices against the triggering tick, and an
independent vectorised recomputation of the strategy) go to stderr after the timed section.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import resource
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.backtest.models import FillModel
from nautilus_trader.config import BacktestEngineConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.currencies import EUR
from nautilus_trader.model.currencies import USD
from nautilus_trader.model.enums import AccountType
from nautilus_trader.model.enums import OmsType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Symbol
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.instruments import CurrencyPair
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.persistence.wranglers import QuoteTickDataWrangler
from nautilus_trader.trading.strategy import Strategy

REPO_ROOT = Path(__file__).resolve().parents[2]
TICK_SUBDIR = Path("fx/lean/forex/fxcm/tick/eurusd")
FAST, SLOW = 10, 50
TRADE_SIZE = 100_000
STARTING_BALANCE = 1_000_000
PRICE_PRECISION = 5
FXCM_TZ = "Etc/GMT+5"  # POSIX sign convention: UTC-05:00 fixed, no DST


# ---------------------------------------------------------------------------------------------
# Data loading (untimed)
# ---------------------------------------------------------------------------------------------
def load_ticks_frame(data_dir: Path, max_files: int | None = None) -> pd.DataFrame:
    """All ticks in file-date order, then row order; UTC DatetimeIndex; float bid/ask columns."""
    tick_dir = data_dir / TICK_SUBDIR
    files = sorted(tick_dir.glob("*_quote.zip"))[:max_files]
    if not files:
        raise SystemExit(f"sma_ticks.py: no *_quote.zip under {tick_dir}")
    frames = []
    for path in files:
        day = path.name[:8]
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if len(names) != 1:
                raise SystemExit(f"sma_ticks.py: {path} holds {len(names)} files, expected 1")
            raw = zf.read(names[0])
        df = pd.read_csv(
            io.BytesIO(raw),
            header=None,
            names=["ms", "bid", "ask"],
            dtype={"ms": np.int64, "bid": np.float64, "ask": np.float64},
        )
        midnight = pd.Timestamp(day, tz=FXCM_TZ)
        df.index = (midnight + pd.to_timedelta(df.pop("ms").to_numpy(), unit="ms")).tz_convert("UTC")
        df.index.name = "timestamp"
        frames.append(df)
    return pd.concat(frames)


def make_instrument() -> CurrencyPair:
    """TestInstrumentProvider.default_fx_ccy("EUR/USD") with zero maker/taker fees."""
    return CurrencyPair(
        instrument_id=InstrumentId(Symbol("EUR/USD"), Venue("SIM")),
        raw_symbol=Symbol("EUR/USD"),
        base_currency=EUR,
        quote_currency=USD,
        price_precision=PRICE_PRECISION,
        size_precision=0,
        price_increment=Price(1 / 10**PRICE_PRECISION, PRICE_PRECISION),
        size_increment=Quantity.from_int(1),
        lot_size=Quantity.from_str("1000"),
        max_quantity=Quantity.from_str("1e7"),
        min_quantity=Quantity.from_str("1000"),
        max_price=None,
        min_price=None,
        max_notional=Money(50_000_000.00, USD),
        min_notional=Money(1_000.00, USD),
        margin_init=Decimal("0.03"),
        margin_maint=Decimal("0.03"),
        maker_fee=Decimal(0),
        taker_fee=Decimal(0),
        tick_scheme_name="FOREX_5DECIMAL",
        ts_event=0,
        ts_init=0,
    )


# ---------------------------------------------------------------------------------------------
# Strategy
# ---------------------------------------------------------------------------------------------
class SmaCrossConfig(StrategyConfig, frozen=True):
    instrument_id: InstrumentId
    trade_size: int = TRADE_SIZE
    purge_every: int = 0  # >0: purge closed orders from the cache after every N fills (see README)


class SmaCross(Strategy):
    """The spec's `sma-crossover`, in plain Python with exact integer arithmetic.

    Works on the fixed-point raws of the prices (Price.raw), so `2 * mid` is an exact integer and
    fast > slow  <=>  sum10(2*mid)/10 > sum50(2*mid)/50  <=>  5 * sum10 > sum50  (exact, so ties
    are detected exactly and leave the target unchanged, as the spec says).
    """

    def __init__(self, config: SmaCrossConfig) -> None:
        super().__init__(config)
        self.instrument_id = config.instrument_id
        self.trade_size = config.trade_size
        self.window = [0] * SLOW  # ring buffer of 2*mid raws
        self.sum_fast = 0
        self.sum_slow = 0
        self.n = 0  # ticks seen
        self.position = 0  # signed EUR units, from OrderFilled events
        self.target = 0
        self.orders = 0
        self.fills = 0
        self.order_tick = {}  # client_order_id -> index of the triggering tick (for sanity checks)
        self.instrument = None
        self.purge_every = config.purge_every
        self.purged_at = 0
        self.fill_log = []  # (client_order_id, side, last_px, last_qty, ts_event) per OrderFilled
        self.marks = []  # (ticks seen, perf_counter) every 2**16 ticks: throughput over the run

    def on_start(self) -> None:
        self.instrument = self.cache.instrument(self.instrument_id)
        self.subscribe_quote_ticks(self.instrument_id)

    def on_quote_tick(self, tick) -> None:
        m2 = tick.bid_price.raw + tick.ask_price.raw
        n = self.n
        if not n & 0xFFFF:
            self.marks.append((n, time.perf_counter()))
        if self.purge_every and self.fills - self.purged_at >= self.purge_every:
            self.purged_at = self.fills
            self.cache.purge_closed_orders(tick.ts_init)
        w = self.window
        slot = n % SLOW
        self.sum_slow += m2 - w[slot]
        w[slot] = m2
        if n >= FAST:
            self.sum_fast += m2 - w[(n - FAST) % SLOW]
        else:
            self.sum_fast += m2
        self.n = n + 1
        if n + 1 < SLOW:
            return
        lhs = 5 * self.sum_fast
        if lhs > self.sum_slow:
            target = self.trade_size
        elif lhs < self.sum_slow:
            target = -self.trade_size
        else:
            return  # equal: target unchanged
        diff = target - self.position
        if diff == 0:
            return
        order = self.order_factory.market(
            instrument_id=self.instrument_id,
            order_side=OrderSide.BUY if diff > 0 else OrderSide.SELL,
            quantity=self.instrument.make_qty(abs(diff)),
            time_in_force=TimeInForce.GTC,
        )
        self.order_tick[order.client_order_id.value] = n
        self.orders += 1
        self.submit_order(order)

    def on_order_filled(self, event) -> None:
        self.fills += 1
        self.fill_log.append((event.client_order_id.value, event.order_side, event.last_px, event.last_qty, event.ts_event))
        qty = int(event.last_qty.as_double())
        self.position += qty if event.order_side == OrderSide.BUY else -qty


# ---------------------------------------------------------------------------------------------
# Independent check (untimed): the same strategy, vectorised with numpy integer arithmetic
# ---------------------------------------------------------------------------------------------
def reference_trades(bid_i: np.ndarray, ask_i: np.ndarray):
    """Returns (tick indices of orders, signed sizes, realized pnl in USD, final position)."""
    m2 = bid_i + ask_i
    c = np.concatenate(([0], np.cumsum(m2, dtype=np.int64)))
    idx = np.arange(SLOW - 1, len(m2))
    s_fast = c[idx + 1] - c[idx + 1 - FAST]
    s_slow = c[idx + 1] - c[idx + 1 - SLOW]
    sig = np.sign(5 * s_fast - s_slow)
    order_ticks, sizes = [], []
    pos = 0
    realized_units = 0  # price units (1e-5 USD per EUR) * EUR
    entry = 0
    for i, s in zip(idx[sig != 0], sig[sig != 0]):
        target = TRADE_SIZE * int(s)
        if target == pos:
            continue
        px = int(ask_i[i]) if target > pos else int(bid_i[i])
        if pos != 0:
            realized_units += pos * (px - entry)
        order_ticks.append(int(i))
        sizes.append(target - pos)
        pos, entry = target, px
    return order_ticks, sizes, realized_units / 10**PRICE_PRECISION, pos


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO_ROOT / "../shared/data"), help="data dir (default: ../shared/data relative to the repo root)")
    ap.add_argument("--files", type=int, default=None, help="use only the first N daily files (quick tests; default all 13)")
    ap.add_argument("--gc", choices=["default", "freeze", "off"], default="default", help="Python GC during the run (experiments)")
    ap.add_argument(
        "--purge-every",
        type=int,
        default=0,
        metavar="N",
        help="variant: purge closed orders from Nautilus' cache every N fills (default 0 = off, the reference setting)",
    )
    ap.add_argument("--segments", action="store_true", help="print the throughput of every 65536-tick segment to stderr")
    ap.add_argument("--no-check", action="store_true", help="skip the untimed sanity checks on stderr")
    args = ap.parse_args()
    data_dir = Path(args.data).resolve()

    # ---- load + decode (untimed) ----
    t_load = time.perf_counter()
    df = load_ticks_frame(data_dir, args.files)
    instrument = make_instrument()
    ticks = QuoteTickDataWrangler(instrument).process(df.copy())
    load_s = time.perf_counter() - t_load

    engine = BacktestEngine(
        config=BacktestEngineConfig(
            trader_id="BACKTESTER-001",
            logging=LoggingConfig(log_level="ERROR", bypass_logging=True),
            run_analysis=False,
        ),
    )
    engine.add_venue(
        venue=Venue("SIM"),
        oms_type=OmsType.NETTING,
        account_type=AccountType.MARGIN,
        base_currency=USD,
        starting_balances=[Money(STARTING_BALANCE, USD)],
        fill_model=FillModel(prob_fill_on_limit=1.0, prob_fill_on_stop=1.0, prob_slippage=0.0),
    )
    engine.add_instrument(instrument)
    engine.add_data(ticks)
    strategy = SmaCross(SmaCrossConfig(instrument_id=instrument.id, purge_every=args.purge_every))
    engine.add_strategy(strategy)

    if args.gc != "default":
        gc.collect()
        gc.freeze() if args.gc == "freeze" else gc.disable()

    # ---- timed section: engine.run() only ----
    t0 = time.perf_counter()
    engine.run()
    seconds = time.perf_counter() - t0

    # ---- results ----
    account = engine.cache.account_for_venue(Venue("SIM"))
    balance = account.balance_total(USD).as_double()
    realized_pnl = round(balance - STARTING_BALANCE, 2)
    net = engine.portfolio.net_position(instrument.id)
    final_position = int(net)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result = {
        "engine": "nautilus",
        "events": strategy.n,
        "seconds": round(seconds, 6),
        "events_per_sec": round(strategy.n / seconds, 1),
        "orders": strategy.orders,
        "fills": strategy.fills,
        "realized_pnl": realized_pnl,
        "final_position": final_position,
        "peak_rss_mb": round(peak_rss_mb, 1),
    }
    if args.purge_every:
        result["variant"] = f"purge-closed-orders-every-{args.purge_every}-fills"
    print(json.dumps(result), flush=True)

    if args.segments:
        m = strategy.marks
        print("segments:", " ".join(f"{(m[k+1][0]-m[k][0])/(m[k+1][1]-m[k][1]):.0f}" for k in range(len(m) - 1)), file=sys.stderr)
    if not args.no_check:
        sanity(engine, strategy, df, ticks, instrument, realized_pnl, final_position, load_s)
    engine.dispose()
    return 0


def sanity(engine, strategy, df, ticks, instrument, realized_pnl, final_position, load_s) -> None:
    """Untimed checks, one summary line on stderr."""
    problems = []
    scale = 10**PRICE_PRECISION
    bid_i = np.rint(df["bid"].to_numpy() * scale).astype(np.int64)
    ask_i = np.rint(df["ask"].to_numpy() * scale).astype(np.int64)
    if strategy.n != len(ticks) or len(ticks) != len(df):
        problems.append(f"events {strategy.n} != ticks {len(ticks)} / rows {len(df)}")
    if strategy.fills != strategy.orders:
        problems.append(f"{strategy.orders} orders but {strategy.fills} fills")

    # Every fill against the tick that triggered its order: buys at ask, sells at bid, full size,
    # same timestamp. From the OrderFilled events the strategy received (complete even with --purge-every).
    bad_px = bad_ts = bad_qty = 0
    for coid, side, px, qty, ts in strategy.fill_log:
        i = strategy.order_tick[coid]
        want = ask_i[i] if side == OrderSide.BUY else bid_i[i]
        bad_px += round(px.as_double() * scale) != want
        bad_ts += ts != ticks[i].ts_event
        bad_qty += int(qty.as_double()) not in (TRADE_SIZE, 2 * TRADE_SIZE)
    if bad_px or bad_ts or bad_qty:
        problems.append(f"fills: {bad_px} off the triggering tick's ask/bid, {bad_ts} other timestamp, {bad_qty} odd size")

    # The same against Nautilus' own fills report (unless closed orders were purged from the cache).
    fills = engine.trader.generate_fills_report()
    report_note = f"fills report: {len(fills)} rows"
    if not strategy.purge_every:
        if len(fills) != strategy.fills:
            problems.append(f"fills report has {len(fills)} rows, strategy saw {strategy.fills} fills")
        off = 0
        for row in fills.itertuples():  # indexed by client_order_id
            i = strategy.order_tick[row.Index]
            want = ask_i[i] if str(row.order_side) == "BUY" else bid_i[i]
            off += round(float(row.last_px) * scale) != want
        if off:
            problems.append(f"fills report: {off} fills off the triggering tick's ask/bid")
        report_note += f", {off} off"

    # Independent vectorised recomputation of the strategy on the raw input.
    ref_ticks, _, ref_pnl, ref_pos = reference_trades(bid_i, ask_i)
    if sorted(strategy.order_tick.values()) != ref_ticks:
        problems.append(f"order ticks differ from reference ({len(strategy.order_tick)} vs {len(ref_ticks)})")
    if abs(ref_pnl - realized_pnl) > 0.005:
        problems.append(f"realized pnl {realized_pnl} != reference {ref_pnl:.2f}")
    if ref_pos != final_position:
        problems.append(f"final position {final_position} != reference {ref_pos}")
    port_pnl = engine.portfolio.realized_pnl(instrument.id)

    m = strategy.marks
    seg = [(m[k + 1][0] - m[k][0]) / (m[k + 1][1] - m[k][1]) for k in range(len(m) - 1) if m[k + 1][1] > m[k][1]]
    seg_note = (
        f" events/s per 65536-tick segment: first {seg[0]:.0f}, last {seg[-1]:.0f}, min {min(seg):.0f}, max {max(seg):.0f};"
        if seg
        else ""
    )
    sample = ""
    if strategy.fill_log:
        coid, side, px, qty, _ = strategy.fill_log[0]
        i = strategy.order_tick[coid]
        sample = f" first fill {side_str(side)} {qty}@{px} on tick #{i} (bid {df['bid'].iat[i]:.5f} ask {df['ask'].iat[i]:.5f})"
    print(
        f"sanity: {'OK' if not problems else 'PROBLEMS: ' + '; '.join(problems)} | load+decode {load_s:.1f}s untimed;"
        f" {len(strategy.fill_log)} fills checked vs their triggering tick (buy@ask, sell@bid, full size): {bad_px} off;"
        f" {report_note}; numpy reference model: {len(ref_ticks)} orders, realized {ref_pnl:.2f}, final {ref_pos};"
        f" portfolio.realized_pnl {port_pnl};{seg_note}{sample}",
        file=sys.stderr,
    )


def side_str(side) -> str:
    return "BUY" if side == OrderSide.BUY else "SELL"


if __name__ == "__main__":
    sys.exit(main())
