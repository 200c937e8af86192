"""Grants pages: public round pages, the provider's application, and OPCC staff's work."""
