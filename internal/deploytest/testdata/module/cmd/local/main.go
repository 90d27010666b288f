// Command local serves the function on http://127.0.0.1:8080/.
package main

import (
	"log"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	_ "example.com/deploytest" // registers "Webhook"
)

func main() {
	if err := funcframework.StartHostPort("127.0.0.1", "8080"); err != nil {
		log.Fatal(err)
	}
}
