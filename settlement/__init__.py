"""settlement: pure engines over dataset values (settlement of a year; audit of declarations).

No database session, no clock, no environment: values in, values out. Imports ``spreiding``
for the domain values only; never ``api``.
"""
