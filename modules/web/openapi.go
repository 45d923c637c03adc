package web

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Doc describes one API route for the OpenAPI document.
type Doc struct {
	Summary   string
	Body      any      // request body example type (nil: none)
	Multipart []string // multipart form fields, for uploads
	Resp      any      // response type (nil: empty)
	Status    int      // success status (default 200)
	Public    bool     // no login needed
	Roles     []string // roles allowed (empty: any logged-in user)
	Query     []string // query parameters
	// OptionalBody: an empty body means the same as {}.
	OptionalBody bool
	// Account: a route about the caller's own account (me, password, second
	// factor, logout) that the three system administrators may use too.
	// Every other route is closed to them unless Roles names their role.
	Account bool
}

// API registers routes under /api/v1 and records their documentation, so the
// OpenAPI document always lists every route.
type API struct {
	router fiber.Router
	prefix string
	docs   *[]routeDoc
	tag    string
}

type routeDoc struct {
	Method, Path, Tag string
	Doc               Doc
}

// NewAPI wraps router (mounted at prefix, e.g. "/api/v1").
func NewAPI(router fiber.Router, prefix string) *API {
	return &API{router: router, prefix: prefix, docs: &[]routeDoc{}}
}

// Tag returns a view of the API whose routes are grouped under tag.
func (a *API) Tag(tag string) *API {
	cp := *a
	cp.tag = tag
	return &cp
}

// Handle registers a route. Unless doc.Public, the caller must be logged in,
// and must hold one of doc.Roles when given.
func (a *API) Handle(method, path string, doc Doc, handlers ...fiber.Handler) {
	var chain []fiber.Handler
	if !doc.Public {
		if len(doc.Roles) > 0 {
			chain = append(chain, RequireRole(doc.Roles...))
		} else {
			chain = append(chain, RequireLogin)
		}
	}
	if !doc.Public && !doc.Account {
		chain = append(chain, confineSystemAdmins(doc.Roles))
	}
	chain = append(chain, handlers...)
	a.router.Add(method, path, chain...)
	*a.docs = append(*a.docs, routeDoc{Method: method, Path: a.prefix + path, Tag: a.tag, Doc: doc})
}

// errSystemAdminDuty refuses the three system administrators anything
// outside their duties (三员分立): they run the system and never study in it.
var errSystemAdminDuty = NewError(fiber.StatusForbidden, "forbidden", "系统管理员、安全管理员和审计管理员账号只能用于各自的管理职责")

// confineSystemAdmins lets a system administrator through only when the
// route names their role.
func confineSystemAdmins(roles []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if p := Caller(c); p.IsSystemAdmin() && !p.HasAny(roles...) {
			return errSystemAdminDuty
		}
		return c.Next()
	}
}

// ConfineSystemAdminPages closes the pages to the three system
// administrators except those under the path prefixes allowed for their role
// (and the paths every account needs).
func ConfineSystemAdminPages(allowed map[string][]string, common ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := Caller(c)
		if !p.IsSystemAdmin() || IsAPI(c) {
			return c.Next()
		}
		path := c.Path()
		for _, pre := range common {
			if pathUnder(path, pre) {
				return c.Next()
			}
		}
		for _, r := range p.Roles {
			for _, pre := range allowed[r] {
				if pathUnder(path, pre) {
					return c.Next()
				}
			}
		}
		return errSystemAdminDuty
	}
}

// pathUnder reports whether path is prefix or below it ("/" matches only "/").
func pathUnder(path, prefix string) bool {
	if prefix == "/" {
		return path == "/"
	}
	return path == prefix || strings.HasPrefix(path, strings.TrimSuffix(prefix, "/")+"/")
}

// Get registers a GET route.
func (a *API) Get(path string, doc Doc, h ...fiber.Handler) {
	a.Handle(fiber.MethodGet, path, doc, h...)
}

// Post registers a POST route.
func (a *API) Post(path string, doc Doc, h ...fiber.Handler) {
	a.Handle(fiber.MethodPost, path, doc, h...)
}

// Put registers a PUT route.
func (a *API) Put(path string, doc Doc, h ...fiber.Handler) {
	a.Handle(fiber.MethodPut, path, doc, h...)
}

// Delete registers a DELETE route.
func (a *API) Delete(path string, doc Doc, h ...fiber.Handler) {
	a.Handle(fiber.MethodDelete, path, doc, h...)
}

// Documented lists "METHOD path" of every registered route.
func (a *API) Documented() []string {
	out := make([]string, 0, len(*a.docs))
	for _, d := range *a.docs {
		out = append(out, d.Method+" "+d.Path)
	}
	return out
}

var paramRe = regexp.MustCompile(`:([a-zA-Z_]+)`)

// OpenAPI builds the OpenAPI 3.0 document of every registered route.
func (a *API) OpenAPI(title, version string) map[string]any {
	paths := map[string]map[string]any{}
	schemas := map[string]any{}
	for _, rd := range *a.docs {
		p := paramRe.ReplaceAllString(rd.Path, "{$1}")
		op := map[string]any{"summary": rd.Doc.Summary, "operationId": strings.ToLower(rd.Method) + strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(p, "/", "_"), "{", ""), "}", "")}
		if rd.Tag != "" {
			op["tags"] = []string{rd.Tag}
		}
		var params []any
		for _, m := range paramRe.FindAllStringSubmatch(rd.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rd.Doc.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rd.Doc.Body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rd.Doc.Body), schemas)}}}
		} else if len(rd.Doc.Multipart) > 0 {
			props := map[string]any{}
			for _, f := range rd.Doc.Multipart {
				props[f] = map[string]any{"type": "string", "format": "binary"}
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "properties": props}}}}
		}
		status := rd.Doc.Status
		if status == 0 {
			status = 200
		}
		ok := map[string]any{"description": "成功"}
		if rd.Doc.Resp != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rd.Doc.Resp), schemas)}}
		}
		responses := map[string]any{itoa(status): ok, "default": map[string]any{"description": "错误", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}}
		op["responses"] = responses
		if !rd.Doc.Public {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
			if len(rd.Doc.Roles) > 0 {
				op["x-roles"] = rd.Doc.Roles
			}
		}
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rd.Method)] = op
	}
	schemas["Error"] = map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object", "properties": map[string]any{
		"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
		"fields": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		"rows":   map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
	}}}}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": title, "version": version},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "college_session"},
			},
		},
	}
}

var (
	timeType     = reflect.TypeOf(time.Time{})
	hoursReflect = reflect.TypeOf(Hours(0))
)

func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if t == hoursReflect {
		return map[string]any{"type": "number", "description": "学时，最多两位小数"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if name == "" || strings.Contains(name, "[") {
			return structSchema(t, schemas)
		}
		if _, done := schemas[name]; !done {
			schemas[name] = map[string]any{} // break cycles
			schemas[name] = structSchema(t, schemas)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func structSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type, schemas)
		keys = append(keys, name)
	}
	sort.Strings(keys)
	return map[string]any{"type": "object", "properties": props}
}

// RouteInfo describes a registered API route for tests and tools.
type RouteInfo struct {
	Method, Path string
	Public       bool
	HasBody      bool
	OptionalBody bool
	Multipart    bool
	Account      bool
	Roles        []string
}

// Allows reports whether a caller holding roles passes the route's gate (the
// service may still refuse a particular record): public routes everyone,
// account routes every logged-in account, routes without roles everyone but
// the three system administrators, and the rest the roles they name.
func (r RouteInfo) Allows(roles []string) bool {
	p := &Principal{Roles: roles}
	switch {
	case r.Public, r.Account:
		return true
	case len(r.Roles) == 0:
		return !p.IsSystemAdmin()
	}
	return p.HasAny(r.Roles...)
}

// Routes lists every registered route.
func (a *API) Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(*a.docs))
	for _, d := range *a.docs {
		out = append(out, RouteInfo{Method: d.Method, Path: d.Path, Public: d.Doc.Public, HasBody: d.Doc.Body != nil, OptionalBody: d.Doc.OptionalBody, Multipart: len(d.Doc.Multipart) > 0, Account: d.Doc.Account, Roles: d.Doc.Roles})
	}
	return out
}
