"""Benchmark log generator: replays real Postfix line shapes as large, coherent logs.

`bench/make_log.py` is the command line. The modules follow the pipeline.
``sources`` reads syslog records. ``grouping`` groups them into units: a
message's lifecycle with its linked lines, or a client session. ``templates``
turns each line into literal text and slots, and ``library`` caches them.
``replay`` and ``values`` fill the slots with fresh values, ``writer`` merges the
units in time order, and ``relay`` and ``qradar`` schedule the units of the two
mixes, ``qradar`` with lifecycles composed by ``lifecycle``.
"""
