"""The plugin as a Saleor App for the Dashboard: manifest, registration and the extension's pages."""
