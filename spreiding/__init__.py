"""spreiding: settlement and audit of care spread between Dutch hospitals.

The package holds the layers around the pure engines of ``settlement``: domain values
(``domain``), the dataset reader (``contract``, the format of ``docs/data-format.md``), the
store (``store``), one service per use case (``services``), renderers (``render``) and the
command line (``cli``); ``docs/architecture.md`` shows how they depend on each other.
"""
