package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

const pgPassword = "Str0ng!Passw0rd"

// createCases: one valid body per family, and an invalid variant naming the
// field the 400 must name.
var createCases = []struct {
	path, valid, nameKey, invalid, field string
}{
	{pathInstances, `{"name":"pdeb12new01","serviceId":2101,"resourceId":"2cpu4gb","productCode":"deb12","area":"EB-QA","az":"EB-A"}`,
		"name", `{"name":"pdeb12new01","serviceId":"x","resourceId":"2cpu4gb","productCode":"deb12","area":"EB-QA","az":"EB-A"}`, "serviceId"},
	{pathKubernetes, `{"name":"pk8snew01","productCode":"k8s128","networkId":"EB_1125_DMZ8","nodeSizing":"2cpu4gb","area":"EB-QA","az":"EB-A"}`,
		"name", `{"name":"pk8snew01","productCode":"k8s128","networkId":"EB_1125_DMZ8","nodeSizing":"2cpu4gb","area":"EB-QA"}`, "az"},
	{pathLoadBalancers, `{"url":"new.example.com","domain":"example.com","serviceId":2101,"area":"EB-QA","networkId":"EB_1125_DMZ8","profileName":"HTTP","portMembers":8080,"members":["a","b"],"healthcheck":"/health","persistence":"cookie","redirectToHttps":false}`,
		"url", `{"url":"new.example.com","domain":"example.com","serviceId":2101,"area":"EB-QA","networkId":"EB_1125_DMZ8","profileName":"UDP","portMembers":8080,"members":["a"],"healthcheck":"/health","persistence":"cookie","redirectToHttps":false}`, "profileName"},
	{pathOverdrive, `{"name":"podnew01","region":"EB","sizing":"M","serviceId":2101,"driveSiteUri":"https://drive/x","password":"s3cret-Value"}`,
		"name", `{"name":"podnew01","region":"EB","sizing":"XXL","serviceId":2101,"driveSiteUri":"https://drive/x","password":"s3cret-Value"}`, "sizing"},
	{family.PostgreSQL.Path, `{"name":"pgnew01","productCode":"deb12pg16","serviceId":2101,"nodeSizing":"2cpu4gb","networkId":"EB_1125_DMZ8","area":"EB-QA","az":"EB-A","diskSize":40,"topology":"HA","nodePrefix":"PGNEW","admPassword":"s3cret-Value1!"}`,
		"name", `{"name":"pgnew01","productCode":"deb12pg16","serviceId":2101,"nodeSizing":"2cpu4gb","networkId":"EB_1125_DMZ8","area":"EB-QA","az":"EB-A","diskSize":40,"topology":"HA","admPassword":"s3cret-Value1!"}`, "nodePrefix"},
}

func TestCreateEachFamily(t *testing.T) {
	for _, c := range createCases {
		t.Run(c.path, func(t *testing.T) {
			e := newEnv(t, Options{Instances: 5})
			var body map[string]any
			_ = json.Unmarshal([]byte(c.valid), &body)
			name := body[c.nameKey].(string)

			code, h, b := e.call(http.MethodPost, "/itcare"+c.path, c.invalid)
			e.expectError(code, http.StatusBadRequest, h, b, "INVALID_FIELD_VALUE", c.field)

			// A dry run validates and creates nothing.
			e.accepted(http.MethodPost, "/itcare"+c.path, c.valid, headerDryRun, "true")
			if p := e.listPage(c.path, "names="+name); len(p.Content) != 0 {
				t.Fatalf("dry run created %v", p.Content)
			}

			acc := e.accepted(http.MethodPost, "/itcare"+c.path, c.valid)
			p := e.listPage(c.path, "names="+name)
			if len(p.Content) != 1 || p.Content[0]["status"] != statusCreating || num(p.Content[0]["id"]) != num(acc["resourceId"]) {
				t.Fatalf("after POST: %v (accepted %v)", p.Content, acc)
			}
			if b, _ := json.Marshal(p.Content[0]); strings.Contains(string(b), "s3cret") {
				t.Fatalf("the password is stored in the resource: %s", b)
			}
			e.clock.Advance(time.Minute)
			if a := e.action(acc["id"]); a["status"] != statusSuccess {
				t.Fatalf("action %v", a)
			}
			var got map[string]any
			e.getJSON(fmt.Sprintf("/itcare%s/%d", c.path, num(acc["resourceId"])), &got)
			if got["status"] != "ACTIVE" || got["name"] != name {
				t.Fatalf("created %v", got)
			}
			var res testPage
			e.getJSON("/itcare/compute/resources?names="+name, &res)
			if len(res.Content) != 1 || num(res.Content[0]["internalResourceId"]) != num(acc["resourceId"]) {
				t.Fatalf("/compute/resources: %v", res.Content)
			}

			code, h, b = e.call(http.MethodPost, "/itcare"+c.path, c.valid)
			e.expectError(code, http.StatusConflict, h, b, "ALREADY_EXISTS", c.nameKey)
		})
	}
}

func TestCreateFailureRemovesTheResource(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	e.s.FailNext("create", "no capacity left in EB-A")
	acc := e.accepted(http.MethodPost, "/itcare"+pathOverdrive, createCases[3].valid)
	e.clock.Advance(time.Minute)
	if a := e.action(acc["id"]); a["status"] != statusError || a["message"] != "no capacity left in EB-A" {
		t.Fatalf("action %v", a)
	}
	if p := e.listPage(pathOverdrive, "names=podnew01"); len(p.Content) != 0 {
		t.Fatalf("failed creation left %v", p.Content)
	}
}

func TestSnapshotRestoreDeleteAndResize(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	acc := e.accepted(http.MethodPost, "/itcare/compute/instances/10001/snapshots", `{"description":"before"}`)
	e.clock.Advance(time.Minute)
	var snaps []map[string]any
	e.getJSON("/itcare/compute/instances/10001/snapshots", &snaps)
	sid := snaps[len(snaps)-1]["id"].(string)
	if a := e.action(acc["id"]); a["status"] != statusSuccess {
		t.Fatalf("snapshot action %v", a)
	}

	code, h, b := e.call(http.MethodPost, "/itcare/compute/instances/10001/snapshots/nope/restore", "")
	e.expectError(code, http.StatusNotFound, h, b, "RESOURCE_NOT_FOUND", "snapshotId")
	acc = e.accepted(http.MethodPost, "/itcare/compute/instances/10001/snapshots/"+sid+"/restore", `{"changeReference":"RFC_1"}`)
	// The instance is busy while the restore runs.
	code, h, b = e.call(http.MethodPatch, "/itcare/compute/instances/10001", `{"operation":"resize","options":{"cpu":4,"ram":8}}`)
	e.expectError(code, http.StatusConflict, h, b, "ACTION_IN_PROGRESS", "status")
	e.clock.Advance(time.Minute)
	if a := e.action(acc["id"]); a["status"] != statusSuccess || a["process"] != "recover-snapshot" {
		t.Fatalf("restore action %v", a)
	}
	e.getJSON("/itcare/compute/instances/10001/snapshots", &snaps)
	if snaps[len(snaps)-1]["recoveryDate"] == nil {
		t.Fatalf("recoveryDate not set: %v", snaps)
	}

	code, h, b = e.call(http.MethodPatch, "/itcare/compute/instances/10001", `{"operation":"resize","options":{"cpu":0,"ram":8}}`)
	e.expectError(code, http.StatusBadRequest, h, b, "INVALID_FIELD_VALUE", "cpu")
	e.accepted(http.MethodPatch, "/itcare/compute/instances/10001", `{"operation":"resize","options":{"cpu":6,"ram":12}}`)
	e.clock.Advance(time.Minute)
	var inst map[string]any
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if num(inst["cpu"]) != 6 || num(inst["ram"]) != 12 {
		t.Fatalf("resize: cpu %v ram %v", inst["cpu"], inst["ram"])
	}

	n := len(snaps)
	e.accepted(http.MethodDelete, "/itcare/compute/instances/10001/snapshots/"+sid, "")
	e.clock.Advance(time.Minute)
	code, _, _ = e.call(http.MethodGet, "/itcare/compute/instances/10001/snapshots", "")
	if code == http.StatusOK {
		e.getJSON("/itcare/compute/instances/10001/snapshots", &snaps)
		if len(snaps) != n-1 {
			t.Fatalf("snapshot not deleted: %v", snaps)
		}
	}
}

func TestLoadBalancerURLsAndDeletes(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	lb := fmt.Sprintf("/itcare%s/%d", pathLoadBalancers, firstLoadBalancerID)
	var urls []map[string]any
	e.getJSON(lb+"/urls", &urls)
	n := len(urls)
	code, h, b := e.call(http.MethodPost, lb+"/urls", `{"name":"Not A Host"}`)
	e.expectError(code, http.StatusBadRequest, h, b, "INVALID_FIELD_VALUE", "name")
	e.accepted(http.MethodPost, lb+"/urls", `{"name":"api.example.com","monitoringEnabled":true}`)
	e.clock.Advance(time.Minute)
	e.getJSON(lb+"/urls", &urls)
	if len(urls) != n+1 || urls[n]["name"] != "api.example.com" {
		t.Fatalf("urls %v", urls)
	}
	code, h, b = e.call(http.MethodPost, lb+"/urls", `{"name":"api.example.com"}`)
	e.expectError(code, http.StatusConflict, h, b, "ALREADY_EXISTS", "name")
	e.accepted(http.MethodDelete, fmt.Sprintf("%s/urls/%d", lb, num(urls[n]["id"])), "")
	e.clock.Advance(time.Minute)
	e.getJSON(lb+"/urls", &urls)
	if len(urls) != n {
		t.Fatalf("url not deleted: %v", urls)
	}

	for _, p := range []string{fmt.Sprintf("%s/%d", pathKubernetes, firstClusterID), fmt.Sprintf("%s/%d", pathOverdrive, firstOverdriveID)} {
		e.accepted(http.MethodDelete, "/itcare"+p, `{"changeReference":"RFC_9"}`)
		e.clock.Advance(time.Minute)
		code, h, b := e.call(http.MethodGet, "/itcare"+p, "")
		e.expectError(code, http.StatusNotFound, h, b, "RESOURCE_NOT_FOUND", "id")
	}
}
