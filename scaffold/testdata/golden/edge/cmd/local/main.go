// Command local runs the function on this machine, through the Functions
// Framework, as Cloud Run would: go run ./cmd/local, then post requests to
// http://127.0.0.1:8080/ (PORT and HOST change the address).
package main

import (
	"log"

	_ "example.com/edge" // registers the function "Webhook"
	"github.com/cxhook/cxhook/webhook/local"
)

func main() { log.Fatal(local.Run()) }
