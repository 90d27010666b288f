module example.com/pizza

go 1.25.0

require (
	github.com/GoogleCloudPlatform/functions-framework-go v1.9.2
	github.com/cxhook/cxhook v0.0.0-00010101000000-000000000000
)

// cxhook init wrote this replace: cxhook is taken from the checkout there.
// Before deploying, run go mod vendor (gcloud uploads this directory alone).
replace github.com/cxhook/cxhook => ../cxhook
