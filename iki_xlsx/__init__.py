"""iki-xlsx: Indikator Kinerja Individu workbooks for kecamatan offices."""

__version__ = "0.1.0"
