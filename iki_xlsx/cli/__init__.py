"""The iki-xlsx command: parse, call the service, print."""
