# Rendered by nat-bootstrap for i-00000000000000100 (server).
# Changes are overwritten by the next render; change the nat-bootstrap flags instead.
encrypt = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
acl = {
  tokens = {
    agent = "6a1253d2-1785-24fd-91c2-f8e78c745511"
    initial_management = "b1gs33cr3t-0000-0000-0000-000000000001"
  }
}
