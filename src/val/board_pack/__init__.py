"""The Victims Board pack (issue 13): one printable, self-contained page of protected figures."""
