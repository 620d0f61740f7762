"""The benchmarks `kucun bench …` runs, a module per thing measured; each prints measured figures
beside the reference they are compared to. The CLI (`kucun/cli.py`) only wires them.

- `sync`: the server applying pushed batches, beside raw executemany (`--processes N` on PostgreSQL)
- `pull`: a new terminal's snapshot of a big site, and a pull of many changes
- `tmall`: trades imported from the TOP sandbox; count → lowered quota latency
- `office`: review, allocation and waves of many paid orders
- `printing`: a PDF of many labels
- `simulate`: the simulation's promises over a matrix of configurations (`--matrix`; the seed sweep
  itself lives in `kucun.simulation.sweep`)
- `terminal`: scan-to-feedback and start-up on a big replica (`terminal_replica` builds it)
"""
