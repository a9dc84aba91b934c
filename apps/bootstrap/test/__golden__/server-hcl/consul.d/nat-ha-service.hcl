# Rendered by nat-bootstrap for i-00000000000000100 (server).
# Changes are overwritten by the next render; change the nat-bootstrap flags instead.
service = {
  name = "nat-ha"
  id = "nat-ha"
  port = 9721
  meta = {
    instance_id = "i-00000000000000100"
    availability_zone = "us-east-1a"
    eni = "eni-00000000000000100"
    group-us-east-1a = "primary"
    group-us-east-1b = "rescue"
    group-us-east-1c = "rescue"
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
