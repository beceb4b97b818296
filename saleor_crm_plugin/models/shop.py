from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class ShopChannel(models.Model):
    """A sales channel of the shop, as the CRM learnt it from orders, checkouts and product listings.

    Outside Saleor this is how the CRM knows which channel slugs are real
    (inside Saleor it reads Saleor's own channels): a storefront request naming
    any other channel is refused before it can mail or store anything.
    ``name`` and ``currency`` are kept where an event carried them (a product
    listing's ``channel_name``, an order's currency); empty until then, and
    the Dashboard then shows the slug.
    """

    slug = models.CharField(max_length=255, primary_key=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    name = models.CharField(max_length=255, blank=True, default="", db_default="")
    currency = models.CharField(max_length=3, blank=True, default="", db_default="")

    class Meta:
        db_table = "crm_shop_channel"


class RateLimitWindow(models.Model):
    """The times one key (an action by one client, or for one address) was let through lately.

    At most the limit's number of times, each younger than its window: a
    sliding window, so no span of that length ever lets more through. The key
    is a keyed hash (it never holds an address or an IP); rows untouched for a
    day are deleted by the hourly clean-up.
    """

    key = models.CharField(max_length=64, primary_key=True)
    stamps = ArrayField(models.DateTimeField(), default=list)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "crm_rate_limit"
        indexes = [models.Index(fields=["updated_at"], name="crm_rate_limit_updated_idx")]
