from django.urls import path

from saleor_crm_plugin.graphql.view import graphql_view

urlpatterns = [path("graphql/", graphql_view)]
