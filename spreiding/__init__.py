"""spreiding: the dataset contract, its validation and its storage.

The lowest layer: it knows hospitals, insurers, agreements, prices, DBCs, declarations and
transfers, reads them from a dataset folder (``../shared/CONTRACT.md`` §1) and stores them.
It imports neither ``settlement`` nor ``api``.
"""
