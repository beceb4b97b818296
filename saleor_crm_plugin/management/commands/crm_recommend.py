"""Show what the active recommendation version serves, as a shopper would get it."""

from django.core.management.base import BaseCommand, CommandError

from ...models import CustomerProfile, ProductSnapshot
from ...recommendations import service
from ...recommendations.service import RecommendationError

# Why a product is on the list, in the shop's words (unknown reasons fall back to their key).
REASONS = {
    "buy_again": "bought it before",
    "customers_like_you": "customers like them bought it",
    "bought_together": "bought by the same customers",
    "similar": "similar product",
    "popular_in_category": "popular in the category",
    "popular_in_channel": "best-seller in the channel",
}


class Command(BaseCommand):
    help = "Print recommendations for a customer (--customer EMAIL), a product (--product ID) or a cart (--cart ID,ID)."

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True)
        parser.add_argument("--customer", help="customer email")
        parser.add_argument("--product", type=int, help="Saleor product id (also bought and similar)")
        parser.add_argument("--cart", help="comma-separated product ids")
        parser.add_argument("--limit", type=int, default=5)
        parser.add_argument("--details", action="store_true", help="Also print each recommendation's score.")

    def handle(self, *args, channel, customer, product, cart, limit, details=False, **options):
        self.details = details
        try:
            if customer:
                profile = CustomerProfile.objects.filter(email=customer.strip().lower()).first()
                if profile is None:
                    raise CommandError(f"No CRM profile for {customer}.")
                self._print(f"For you ({customer})", service.for_customer(
                    profile.pk, channel, limit, favourite_categories=[
                        c["category"] for c in profile.favourite_categories]))
            if product is not None:
                self._print(f"Also bought with {self._name(product)}", service.also_bought(product, channel, limit))
                self._print(f"Similar to {self._name(product)}", service.similar(product, channel, limit))
            if cart:
                ids = [int(p) for p in cart.split(",") if p.strip()]
                self._print(f"Complete the cart {ids}", service.for_cart(ids, channel, limit))
        except RecommendationError as error:
            raise CommandError(f"{error.message} [{error.code.value}]") from None

    def _name(self, product_id: int) -> str:
        name = ProductSnapshot.objects.filter(product_id=product_id).values_list("name", flat=True).first()
        return name or f"product {product_id}"

    def _print(self, title: str, results) -> None:
        self.stdout.write(title)
        if not results:
            self.stdout.write("  (nothing available to recommend in this channel yet)")
        for index, item in enumerate(results, 1):
            reason = REASONS.get(item.reason.value, item.reason.value.replace("_", " "))
            score = f"  score {item.score:8.4f}" if self.details else ""
            self.stdout.write(f"  {index}. {self._name(item.product_id):<36} {reason}{score}")
