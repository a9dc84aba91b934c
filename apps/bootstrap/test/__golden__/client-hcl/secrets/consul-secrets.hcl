# Rendered by nat-bootstrap for i-00000000000000101 (client).
# Changes are overwritten by the next render; change the nat-bootstrap flags instead.
encrypt = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
acl = {
  tokens = {
    agent = "6a1253d2-1785-24fd-91c2-f8e78c745511"
  }
}
