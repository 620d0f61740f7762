"""How fast the office renders shipping labels: `python -m kucun.bench.printing [--labels 500]`.

Renders N 100×150 mm shipping labels (a waybill and an order id as Code 128 each, a Chinese
receiver and address) into one PDF, as `/office/v1/print/...` does, and prints the time and pages/s.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PrintBench:
    labels: int
    dpi: int
    seconds: float
    cpu_seconds: float  # this process's CPU time: the figure to compare on a busy machine
    pdf_bytes: int

    def report(self) -> str:
        return (f"{self.labels} shipping labels at {self.dpi} dpi: {self.seconds:.2f} s "
                f"({self.labels / self.seconds:.0f} pages/s, {self.seconds / self.labels * 1000:.1f} ms a "
                f"label; CPU {self.cpu_seconds:.2f} s), PDF {self.pdf_bytes / 1e6:.1f} MB")


def sample_documents(count: int) -> list[object]:
    """`count` orders of one to three lines, each with a waybill and a receiver in Chinese."""
    from documents.order_pages import COURIERS, OrderDocument, Receiver, SlipLine

    return [
        OrderDocument(
            f"TM1-{3412345678901234567 + n}", "WH1",
            tuple(SlipLine(f"SKU-{1000 + (n + k) % 97}", f"保温杯 500ml 白 #{k}", 1 + k, ("A-01-01",))
                  for k in range(1 + n % 3)),
            store="杭州旗舰店", buyer_nick=f"tb_买家{n}", waybill=f"YT{7500000000000 + n}",
            courier=COURIERS["YTO"],
            receiver=Receiver(f"王芳{n % 10}", "138****1234",
                              "浙江省 杭州市 西湖区 文三路 478 号 华星时代广场 A 座 1201 室"),
        )
        for n in range(count)
    ]


def bench_printing(labels: int = 500, dpi: int = 203, out: Path | None = None) -> PrintBench:
    from server.office.printing import render_orders

    documents = sample_documents(labels)
    started, cpu_started = time.perf_counter(), time.process_time()
    content = render_orders(documents, dpi, "labels")  # type: ignore[arg-type]
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if out is not None:
        out.write_bytes(content)
    return PrintBench(labels, dpi, seconds, cpu_seconds, len(content))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kucun.bench.printing", description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=500, help="shipping labels to render (default 500)")
    parser.add_argument("--dpi", type=int, choices=(203, 300), default=203)
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args(argv)
    if args.labels < 1:
        parser.error("--labels must be at least 1")
    print(f"rendering {args.labels} shipping labels at {args.dpi} dpi...", flush=True)
    print(bench_printing(args.labels, args.dpi, args.out).report())


if __name__ == "__main__":
    main()
