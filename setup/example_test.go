package setup_test

import (
	"fmt"
	"time"

	"github.com/cxhook/cxhook/setup"
)

func ExampleServiceAgentMember() {
	fmt.Println(setup.ServiceAgentMember("123456789012"))
	// Output: serviceAccount:service-123456789012@gcp-sa-dialogflow.iam.gserviceaccount.com
}

func ExampleGeneration_InvokerRole() {
	fmt.Println(setup.Gen2.InvokerRole())
	fmt.Println(setup.Gen1.InvokerRole())
	// Output:
	// roles/run.invoker
	// roles/cloudfunctions.invoker
}

func ExampleParseAgent() {
	a, err := setup.ParseAgent("projects/my-agents/locations/europe-west1/agents/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab")
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Project, a.Location)
	fmt.Println(a.Endpoint())
	// Output:
	// my-agents europe-west1
	// https://europe-west1-dialogflow.googleapis.com
}

func ExampleFunctionURLs() {
	for _, u := range setup.FunctionURLs(setup.Gen2, "my-functions", "123456789012", "us-central1", "cxhook") {
		fmt.Println(u)
	}
	// Output:
	// https://cxhook-123456789012.us-central1.run.app
	// https://us-central1-my-functions.cloudfunctions.net/cxhook
}

func ExampleFunctionTimeout() {
	fmt.Println(setup.FunctionTimeout(5 * time.Second))
	fmt.Println(setup.FunctionTimeout(4500 * time.Millisecond))
	// Output:
	// 5s
	// 5s
}

func ExamplePolicy_Grant() {
	p := &setup.Policy{
		Version: 3,
		Bindings: []*setup.Binding{
			{Role: "roles/run.invoker", Members: []string{"user:ana@example.com"}, Condition: []byte(`{"expression":"false"}`)},
		},
	}
	changed := p.Grant("roles/run.invoker", setup.ServiceAgentMember("42"))
	again := p.Grant("roles/run.invoker", setup.ServiceAgentMember("42"))
	fmt.Println(changed, again)
	for _, b := range p.Bindings {
		fmt.Println(b.Role, b.Members, string(b.Condition))
	}
	// Output:
	// true false
	// roles/run.invoker [user:ana@example.com] {"expression":"false"}
	// roles/run.invoker [serviceAccount:service-42@gcp-sa-dialogflow.iam.gserviceaccount.com]
}

func ExampleConfig_Env() {
	agent, _ := setup.ParseAgent("projects/my-agents/locations/global/agents/a1")
	cfg := setup.Config{Project: "my-functions", Region: "us-central1", Function: "cxhook", Agents: []setup.Agent{agent}}
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	env := cfg.Env(map[string]string{"my-functions": "111", "my-agents": "222"})
	for _, k := range []string{"CXHOOK_AUTH", "CXHOOK_AGENT_PROJECT_NUMBERS", "CXHOOK_AUDIENCES", "CXHOOK_WEBHOOK_TIMEOUT"} {
		fmt.Println(k + "=" + env[k])
	}
	// Output:
	// CXHOOK_AUTH=platform
	// CXHOOK_AGENT_PROJECT_NUMBERS=222
	// CXHOOK_AUDIENCES=https://cxhook-111.us-central1.run.app,https://us-central1-my-functions.cloudfunctions.net/cxhook
	// CXHOOK_WEBHOOK_TIMEOUT=5s
}

func ExampleMemoryLimit() {
	for _, memory := range []string{"256Mi", "512Mi", "2Gi"} {
		limit, _ := setup.MemoryLimit(memory)
		fmt.Println(memory, "GOMEMLIMIT="+limit)
	}
	// Output:
	// 256Mi GOMEMLIMIT=217MiB
	// 512Mi GOMEMLIMIT=435MiB
	// 2Gi GOMEMLIMIT=1740MiB
}
