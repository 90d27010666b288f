module example.com/deploytest

go 1.25.0

require (
	github.com/GoogleCloudPlatform/functions-framework-go v1.9.2
	github.com/cxhook/cxhook v0.0.0
)

require (
	cloud.google.com/go/functions v1.25.0 // indirect
	github.com/cloudevents/sdk-go/v2 v2.15.2 // indirect
	github.com/go-json-experiment/json v0.0.0-20251027170946-4849db3c2f7e // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/json-iterator/go v1.1.10 // indirect
	github.com/modern-go/concurrent v0.0.0-20180228061459-e0a39a4cb421 // indirect
	github.com/modern-go/reflect2 v0.0.0-20180701023420-4b7aa43c6742 // indirect
	go.uber.org/atomic v1.4.0 // indirect
	go.uber.org/multierr v1.1.0 // indirect
	go.uber.org/zap v1.10.0 // indirect
)

// The test deploys a copy of this module from outside the repository,
// with this replace pointed at the repository and the module vendored.
replace github.com/cxhook/cxhook => ../../../..
