"""Vektis EI ZH308 version 9.0 (declaration DBC/ziekenhuiszorg): reader and writer.

The layout is the table ``zh308-v9.0-layout.csv`` in ``spreiding/formats`` (one row per field, from
Vektis's specification; ``../shared/formats/README.md``). A file is lines of 610 positions:
one voorlooprecord (01), per declaration a verzekerdenrecord (02), a prestatierecord (04), a
tariefrecord (06) and zero or more zorgactiviteitrecords (16) and commentaarrecords (98), and
one sluitrecord (99) whose counters and total must equal what precedes it.

``read_zh308(name, text, key=key)`` checks every field (length, type, mandatory, dates, the
debit/credit indicators, the counters and the total) and reports every error, all or nothing,
as ``FILE:LINE: field NNN NAME: message``; a BSN is turned into the alliance's ``patient_ref``
(``spreiding.formats.pseudonyms``) at once and never quoted. Example::

    zh308.txt:4: field 620 DECLARATIEBEDRAG (INCL. BTW): must be digits only

A declaration is one prestatierecord with its tariefrecord, in the contract's declarations
shape: ``declaration_id`` 458, ``agb`` 440 (else the file's 112), ``uzovi`` 404,
``patient_ref`` from 403, ``zorgproduct_code`` 414, ``start_date``/``end_date`` 411/412,
``amount_cents`` 620 in eurocents, negative when 621 is ``C``, ``declared_on`` the invoice date
117, ``dbc_id`` the subtraject number 419, ``declaratiecode`` 410. A credit (457 ``C``) names
the declaration it credits in 459. A zorgactiviteitrecord becomes an ``Activity``; one whose
1616 is filled was performed at that other institution (care performed elsewhere, ODV).

``write_zh308`` writes the same layout from declarations (and their activities), filling the
fields a declaration does not carry (name, birth date, referral) with neutral values; the
reader reads back exactly the declarations it was given.

The package: ``layout`` (the table, ``Declaration``, ``Activity``, ``Zh308Content``),
``record`` (one line checked field by field, the sluitrecord's counters), ``reader`` and
``writer``; every name is imported from ``spreiding.formats.zh308``.
"""

from spreiding.formats.zh308.layout import (
    DEBIT_CREDIT,
    FIELDS,
    LAYOUT,
    LAYOUT_FILE,
    MESSAGE_CODE,
    RECORD_LENGTH,
    VERSION,
    Activity,
    Declaration,
    Field,
    Zh308Content,
)
from spreiding.formats.zh308.reader import read_files, read_zh308
from spreiding.formats.zh308.writer import (
    Zh308WriteError,
    credit_links,
    write_files,
    write_zh308,
)

__all__ = [
    "DEBIT_CREDIT",
    "FIELDS",
    "LAYOUT",
    "LAYOUT_FILE",
    "MESSAGE_CODE",
    "RECORD_LENGTH",
    "VERSION",
    "Activity",
    "Declaration",
    "Field",
    "Zh308Content",
    "Zh308WriteError",
    "credit_links",
    "read_files",
    "read_zh308",
    "write_files",
    "write_zh308",
]
