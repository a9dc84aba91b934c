# Rendered by nat-bootstrap for i-00000000000000101 (client).
# Changes are overwritten by the next render; change the nat-bootstrap flags instead.
datacenter = "us-east-1"
node_name = "i-00000000000000101"
data_dir = "/opt/consul/data"
server = false
bind_addr = "10.0.1.10"
advertise_addr = "10.0.1.10"
client_addr = "127.0.0.1"
retry_join = ["10.0.0.10", "10.0.2.10", "provider=aws tag_key=nat-ha:cluster tag_value=lab region=us-east-1"]
node_meta = {
  availability_zone = "us-east-1b"
}
log_level = "info"
acl = {
  enabled = true
  default_policy = "deny"
  down_policy = "extend-cache"
  enable_token_persistence = true
}
tls = {
  defaults = {
    ca_file = "/etc/consul.d/tls/ca.pem"
    cert_file = "/etc/consul.d/tls/server.pem"
    key_file = "/etc/consul.d/tls/server-key.pem"
    verify_incoming = true
    verify_outgoing = true
  }
  internal_rpc = {
    verify_server_hostname = true
  }
}
performance = {
  raft_multiplier = 1
}
leave_on_terminate = true
disable_update_check = true
