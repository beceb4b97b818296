"""The CRM's GraphQL API (graphene 2, Saleor's version): storefront, staff and federation.

Served by the plugin's ``webhook()`` at ``/plugins/global/<PLUGIN_ID>/graphql/``
inside Saleor, and by ``crm_host``'s URL ``/graphql/`` standalone.
"""
