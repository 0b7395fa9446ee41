// Package faults puts a real TCP proxy (Shopify's toxiproxy, run in
// process) between a client under test and its server, so that a test can
// make the network slow or cut it the way a struggling dependency does,
// rather than mocking the client.
package faults

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Proxy forwards Endpoint to an upstream server.
type Proxy struct {
	// Endpoint is the proxy's URL, with the upstream's scheme.
	Endpoint string
	proxy    *toxiproxy.Proxy
}

// New starts a proxy to the upstream URL (for example a moto server's
// endpoint); it stops when the test ends.
func New(t testing.TB, upstream string) *Proxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(server, strings.ReplaceAll(t.Name(), "/", "_"), "127.0.0.1:0", u.Host)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	if _, _, err := net.SplitHostPort(p.Listen); err != nil {
		t.Fatal(err)
	}
	return &Proxy{Endpoint: u.Scheme + "://" + p.Listen, proxy: p}
}

// Slow delays every response by latency until Heal.
func (p *Proxy) Slow(t testing.TB, latency time.Duration) {
	t.Helper()
	body := fmt.Sprintf(`{"name":"slow","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":%d}}`, latency.Milliseconds())
	if _, err := p.proxy.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
}

// Heal removes every fault.
func (p *Proxy) Heal() { p.proxy.Toxics.ResetToxics(context.Background()) }
