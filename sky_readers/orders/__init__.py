"""Checkout and orders: pricing, payment gateways, order states and history.

Entry points for other parts of the store:

- `orders.pricing.price_lines`: the money rule, for any cart or order.
- `orders.checkout.place_order`: place an order from a cart, once per checkout.
- `orders.workflow.transition` and `allowed_next_states`: change an order's state.
- `orders.queries`: `has_purchased`, `list_orders`, `get_order_detail`.
"""
