"""Windows as data: releases, the http.sys SSL binding, IIS / IIS Express, Schannel settings."""
