# Rendered by nat-bootstrap for i-00000000000000101 (client).
# Changes are overwritten by the next render; change the nat-bootstrap flags instead.
service = {
  name = "nat-ha"
  id = "nat-ha"
  port = 9721
  meta = {
    instance_id = "i-00000000000000101"
    availability_zone = "us-east-1b"
    eni = "eni-00000000000000101"
    group-us-east-1b = "primary"
  }
  checks = [
    {
      id = "nat-ha:live"
      name = "nat-agent process is alive"
      http = "http://127.0.0.1:9721/health/live"
      method = "GET"
      interval = "1s"
      timeout = "500ms"
    },
    {
      id = "nat-ha:health"
      name = "Internet path through this NAT instance"
      http = "http://127.0.0.1:9721/health"
      method = "GET"
      interval = "1s"
      timeout = "500ms"
    },
  ]
}
