"""The one compiled part: the worksheet scanner (iki_xlsx/workbook/_sheetscan.c).

It is optional: where no C compiler, Python headers or expat headers are installed, the build
goes on without it and the reader reads every sheet in Python, with the same results (the
tests compare both on every shape of sheet and on the hostile corpus). Everything else is in
pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("iki_xlsx.workbook._sheetscan",
                             sources=["iki_xlsx/workbook/_sheetscan.c"],
                             libraries=["expat"], optional=True)])
