/**
 * Cairn's test kit: real S3 servers for tests, examples and benchmarks, started in the calling
 * JVM. {@link dev.cairn.testkit.S3ProxyServer} runs S3Proxy on a loopback port, with options for
 * lagging listings, hidden keys, injected read and upload failures and TLS;
 * {@link dev.cairn.testkit.LatencyFront} stands in front of it, holding every request for a fixed
 * latency and counting requests by kind (the S3 benchmarks), built on
 * {@link dev.cairn.testkit.S3Front}, the forwarding front that fault-injecting fronts extend.
 * Nothing here fakes the AWS SDK or the S3 protocol: clients talk HTTP to a real server.
 */
package dev.cairn.testkit;
