// A Go net/http client for the conformance suite: one GET, one JSON line on stdout.
//
//	client -mode default|custom -url URL -ca CA.pem [-cert C.pem -key K.key] [-maxtls 1.2]
//
// default: http.DefaultTransport cloned (HTTP/2 on), trusting CA, with the certificate if given.
// http11:  the default Transport with HTTP/2 switched off (TLSNextProto set to an empty map).
// custom:  a new http.Transport with a client certificate and
//
//	Renegotiation: tls.RenegotiateOnceAsClient (HTTP/1.1 only, as a custom TLS config makes it).
//
// -maxtls 1.2 caps the versions the client offers at TLS 1.2 (tls.Config.MaxVersion).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	mode := flag.String("mode", "default", "default or custom")
	url := flag.String("url", "", "URL")
	caFile := flag.String("ca", "", "CA PEM")
	certFile := flag.String("cert", "", "client certificate PEM")
	keyFile := flag.String("key", "", "client key PEM")
	maxTLS := flag.String("maxtls", "", "1.2: offer TLS 1.2 at most")
	flag.Parse()
	out := map[string]interface{}{"status": nil, "body": "", "error": nil}
	defer func() {
		b, _ := json.Marshal(out)
		os.Stdout.Write(append(b, '\n'))
	}()
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		out["error"] = err.Error()
		return
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg := &tls.Config{RootCAs: pool}
	if *maxTLS == "1.2" {
		cfg.MaxVersion = tls.VersionTLS12
	}
	if *certFile != "" {
		pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			out["error"] = err.Error()
			return
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	var transport *http.Transport
	if *mode == "custom" {
		cfg.Renegotiation = tls.RenegotiateOnceAsClient
		transport = &http.Transport{TLSClientConfig: cfg}
	} else if *mode == "http11" {
		// The default Transport with HTTP/2 switched off as net/http documents it.
		transport = http.DefaultTransport.(*http.Transport).Clone()
		transport.TLSClientConfig = cfg
		transport.ForceAttemptHTTP2 = false
		transport.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	} else {
		transport = http.DefaultTransport.(*http.Transport).Clone()
		transport.TLSClientConfig = cfg
	}
	client := &http.Client{Transport: transport, Timeout: 20 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		out["error"] = err.Error()
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out["status"] = resp.StatusCode
	out["body"] = string(body)
	out["proto"] = resp.Proto
}
