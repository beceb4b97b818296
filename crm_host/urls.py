from django.urls import path
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from saleor_crm_plugin.campaigns.pages import confirm_page, unsubscribe_page
from saleor_crm_plugin.config import PLUGIN_PATH
from saleor_crm_plugin.campaigns.tracking import click_page, tracking_webhook
from saleor_crm_plugin.dashboard.pages import asset, extension_page
from saleor_crm_plugin.dashboard.registration import register, verify_over_http
from saleor_crm_plugin.dashboard.routes import manifest_view
from saleor_crm_plugin.graphql.view import graphql_view
from saleor_crm_plugin.support.pages import reply_page, survey_page

# The mail links' pages at the path Saleor serves them under (/plugins/global/<plugin id>/…),
# so a link works the same on the standalone host. csrf_exempt: RFC 8058's one-click POST
# carries no cookie or token; the signed token in the path is the proof.
urlpatterns = [
    path("graphql/", graphql_view),
    # Also at the plugin's path, as in Saleor: the Dashboard pages call "../graphql/" relative to themselves.
    path(f"{PLUGIN_PATH.lstrip('/')}graphql/", graphql_view),
    path(f"{PLUGIN_PATH.lstrip('/')}unsubscribe/<str:token>", csrf_exempt(unsubscribe_page)),
    path(f"{PLUGIN_PATH.lstrip('/')}confirm/<str:token>", csrf_exempt(confirm_page)),
    path(f"{PLUGIN_PATH.lstrip('/')}survey/<str:token>", csrf_exempt(survey_page)),
    path(f"{PLUGIN_PATH.lstrip('/')}click/<str:token>", click_page),
    path(f"{PLUGIN_PATH.lstrip('/')}tracking/<str:esp>/", csrf_exempt(tracking_webhook)),
    path(f"{PLUGIN_PATH.lstrip('/')}reply/<str:token>", csrf_exempt(reply_page)),
    # The Dashboard app: manifest, registration (Saleor POSTs the app token; checked with Saleor's API), pages.
    path(f"{PLUGIN_PATH.lstrip('/')}manifest", manifest_view),
    path(f"{PLUGIN_PATH.lstrip('/')}register", csrf_exempt(lambda request: register(request, verify_over_http))),
    path(f"{PLUGIN_PATH.lstrip('/')}dashboard/<str:page>", xframe_options_exempt(extension_page)),
    path(f"{PLUGIN_PATH.lstrip('/')}dashboard/assets/<str:name>", asset),
]
