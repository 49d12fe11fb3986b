"""Windows personalities as data: the http.sys binding, IIS / IIS Express, Schannel settings."""
