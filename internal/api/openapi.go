package api

import _ "embed" // for OpenAPISpec

// OpenAPISpec is the OpenAPI 3.0.3 contract (YAML) of every ITCare endpoint
// the CLI calls, written from what is publicly known of the API and
// docs/api-assumptions.md: each operation says whether it is documented or inferred. The sandbox validates its
// traffic against it; a mock server (prism) can serve it.
//
//go:embed openapi.yaml
var OpenAPISpec []byte
