"""The kabupaten's roll-up of its kecamatan recaps (issue 25)."""
