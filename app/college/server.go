package college

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"college/modules/assess"
	"college/modules/audit"
	"college/modules/bases"
	"college/modules/catalog"
	"college/modules/dashboard"
	"college/modules/exam"
	"college/modules/faculty"
	"college/modules/followup"
	"college/modules/home"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/learning"
	"college/modules/notify"
	"college/modules/portal"
	"college/modules/programs"
	"college/modules/reports"
	"college/modules/search"
	"college/modules/settings"
	"college/modules/sites"
	"college/modules/throughtrain"
	"college/modules/training"
	"college/modules/web"
	"college/static"
	"college/storage/cache"
	"college/storage/db"
	"college/storage/objects"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"
)

// Version is set at build time with
// -ldflags "-X college/app/college.Version=...".
var Version = "dev"

// maxJSONBody bounds JSON request bodies; uploads have their own limits.
const maxJSONBody = 1 << 20

// App is the wired college: stores, modules and the HTTP server.
type App struct {
	cfg     Config
	log     *slog.Logger
	DB      *gorm.DB
	Cache   *cache.Cache
	Objects objects.Store
	Fiber   *fiber.App
	API     *web.API

	Settings *settings.Service
	Audit    *audit.Service
	Identity *identity.Service
	Sessions *identity.Sessions
	Hours    *hours.Service
	Catalog  *catalog.Service
	Learning *learning.Service
	Flusher  *learning.Flusher
	Exams    *exam.Service
	Notify   *notify.Service
	Training *training.Service
	Followup *followup.Service
	Assess   *assess.Service
	Portal   *portal.Service
	Dash     *dashboard.Service
	Reports  *reports.Service
	Sites    *sites.Service
	Bases    *bases.Service
	Programs *programs.Service
	Faculty  *faculty.Service
	Through  *throughtrain.Service

	ready    atomic.Bool
	closers  []func()
	listenOn atomic.Value // string: the address Serve listens on

	metricsHandler http.Handler // set when metrics_addr serves /metrics apart
	metricsOn      atomic.Value // string: the address metrics are served on

	// AuditObserver, when set, sees every request with the number of audit
	// entries it wrote (test harnesses check one per mutating route).
	AuditObserver web.AuditObserver
}

// allMigrations collects every module's migrations.
func Migrations() []db.Migration {
	var all []db.Migration
	all = append(all, identity.Migrations()...)
	all = append(all, settings.Migrations()...)
	all = append(all, audit.Migrations()...)
	all = append(all, hours.Migrations()...)
	all = append(all, catalog.Migrations()...)
	all = append(all, learning.Migrations()...)
	all = append(all, exam.Migrations()...)
	all = append(all, notify.Migrations()...)
	all = append(all, training.Migrations()...)
	all = append(all, assess.Migrations()...)
	all = append(all, followup.Migrations()...)
	all = append(all, portal.Migrations()...)
	all = append(all, reports.Migrations()...)
	all = append(all, sites.Migrations()...)
	all = append(all, bases.Migrations()...)
	all = append(all, faculty.Migrations()...)
	all = append(all, programs.Migrations()...)
	all = append(all, throughtrain.Migrations()...)
	return all
}

// Database is the storage layer's view of the database settings.
func (cfg Config) Database() db.Config {
	return db.Config{Driver: cfg.DB.Driver, DSN: cfg.DB.DSN, DataDir: cfg.DataDir, MaxOpenConns: cfg.DB.MaxOpenConns, MaxIdleConns: cfg.DB.MaxIdleConns}
}

// Stores are the outside services the college runs on.
type Stores struct {
	DB      *gorm.DB
	Cache   *cache.Cache
	Objects objects.Store
}

// OpenStores connects to the configured database, Redis and object store.
func OpenStores(ctx context.Context, cfg Config, log *slog.Logger) (Stores, func(), error) {
	var s Stores
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	gdb, err := db.Open(cfg.Database(), log)
	if err != nil {
		return s, nil, err
	}
	closers = append(closers, func() { _ = db.Close(gdb) })
	s.DB = gdb
	var addrs []string
	for _, a := range strings.Split(cfg.Redis.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	c, err := cache.Open(ctx, cache.Config{Addrs: addrs, MasterName: cfg.Redis.MasterName, Password: cfg.Redis.Password, DB: cfg.Redis.DB, Prefix: cfg.Redis.Prefix})
	if err != nil {
		closeAll()
		return s, nil, err
	}
	closers = append(closers, func() { _ = c.Close() })
	s.Cache = c
	if cfg.S3.Endpoint != "" {
		m, err := objects.NewMinIOClient(objects.MinIOConfig{Endpoint: cfg.S3.Endpoint, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey, Bucket: cfg.S3.Bucket, Secure: cfg.S3.Secure, Region: cfg.S3.Region})
		if err != nil {
			closeAll()
			return s, nil, err
		}
		bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = m.EnsureBucket(bctx)
		cancel()
		if err != nil {
			if !web.IsOutage(err) {
				closeAll()
				return s, nil, err // a wrong key or bucket name: fix the config
			}
			// The store is down: learning and exams go on; video, files
			// and uploads answer 503 and /readyz says so until it returns.
			log.Warn("object store unavailable at start; starting without it", "endpoint", cfg.S3.Endpoint, "err", err)
		}
		s.Objects = m
	} else {
		l, err := objects.NewLocal(filepath.Join(cfg.DataDir, "objects"))
		if err != nil {
			closeAll()
			return s, nil, err
		}
		s.Objects = l
	}
	return s, closeAll, nil
}

// Open connects the stores, migrates when configured, and builds the app.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	stores, closeStores, err := OpenStores(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a, err := Build(ctx, cfg, log, stores)
	if err != nil {
		closeStores()
		return nil, err
	}
	a.closers = append(a.closers, closeStores)
	return a, nil
}

// Build wires the modules over open stores.
func Build(ctx context.Context, cfg Config, log *slog.Logger, s Stores) (*App, error) {
	a := &App{cfg: cfg, log: log, DB: s.DB, Cache: s.Cache, Objects: s.Objects}
	if cfg.AutoMigrate {
		applied, err := db.Migrate(ctx, s.DB, Migrations())
		if err != nil {
			return nil, err
		}
		if len(applied) > 0 {
			log.Info("migrations applied", "ids", applied)
		}
	}
	secret, err := cfg.Secret()
	if err != nil {
		return nil, err
	}
	ring, err := cfg.Keyring(secret)
	if err != nil {
		return nil, err
	}
	sealer := identity.NewSealerWith(ring)
	engine, err := web.NewEngine(static.FS, cfg.CollegeName, exam.TemplateFuncs())
	if err != nil {
		return nil, err
	}

	a.Settings = settings.New(s.DB, s.Cache)
	if a.Audit, err = audit.New(audit.Deps{DB: s.DB, Cache: s.Cache, Settings: a.Settings, Secret: secret, National: cfg.Crypto.National, Log: log}); err != nil {
		return nil, err
	}
	a.Settings.SetAuditor(a.Audit)
	a.Sessions = identity.NewSessions(identity.SessionDeps{Cache: s.Cache, DB: s.DB, Log: log})
	a.Identity = identity.NewService(identity.Deps{Store: identity.NewStore(s.DB), Sealer: sealer, Sessions: a.Sessions, Settings: a.Settings, Cache: s.Cache, Audit: a.Audit, Log: log,
		AdminMFA: cfg.Auth.AdminMFA, Issuer: cfg.CollegeName, DataDir: cfg.DataDir})

	created, err := a.Identity.EnsureAdmins(ctx, identity.BuiltinAccounts(cfg.AdminPassword, cfg.SecAdminPassword, cfg.AuditorPassword))
	if err != nil {
		return nil, err
	}
	if len(created) > 0 {
		log.Info("created the built-in administrator accounts", "usernames", created, "random_passwords_in", a.Identity.InitialPasswordsPath())
	}

	folks := people{id: a.Identity, store: identity.NewStore(s.DB)}
	a.Hours = hours.New(s.DB, a.Settings, folks)
	a.Hours.SetAuditor(a.Audit)
	a.Notify = notify.New(s.DB)
	a.Catalog = catalog.NewService(catalog.Deps{DB: s.DB, Objects: s.Objects, Settings: a.Settings, Orgs: folks, SignKey: secret, Audit: a.Audit, Log: log})
	a.Learning = learning.NewService(learning.Deps{DB: s.DB, Cache: s.Cache, Catalog: a.Catalog, Ledger: a.Hours, Settings: a.Settings, Audit: a.Audit, Log: log})
	a.Hours.SetSettler(a.Learning.SettleLearner)
	a.Flusher = learning.NewFlusher(s.DB, s.Cache, a.Learning, log)
	a.Exams = exam.NewService(exam.Deps{DB: s.DB, Cache: s.Cache, Settings: a.Settings, Audit: a.Audit, Log: log, Objects: s.Objects})
	a.Exams.SetPeople(folks)
	a.Exams.SetLedger(a.Hours)
	courseProgress := progress{catalog: a.Catalog, learning: a.Learning, exams: a.Exams}
	a.Exams.SetCourses(courseProgress)
	a.Catalog.SetAccounts(accounts{store: identity.NewStore(s.DB)})
	a.Training = training.NewService(training.Deps{DB: s.DB, Cache: s.Cache, Objects: s.Objects, Settings: a.Settings, People: folks,
		Ledger: a.Hours, Notifier: notifier{a.Notify}, Progress: courseProgress, Audit: a.Audit, Log: log})
	a.Exams.SetTrainees(a.Training)
	idStore := identity.NewStore(s.DB)
	a.Training.SetPickers(pickers{orgs: idStore, catalog: a.Catalog, exams: a.Exams})
	a.Training.SetOrgTree(pickers{orgs: idStore})
	a.Bases = bases.NewService(bases.Deps{DB: s.DB, Objects: s.Objects, Orgs: basesOrgs{id: a.Identity, store: idStore}, Audit: a.Audit, Log: log})
	a.Training.SetBases(trainingBases{a.Bases})
	a.Followup = followup.NewService(followup.Deps{DB: s.DB, Cache: s.Cache, Objects: s.Objects, Settings: a.Settings,
		People: followupPeople{id: a.Identity, store: idStore}, Notifier: a.Notify, Courses: caseCourses{catalog: a.Catalog, store: idStore}, Audit: a.Audit, Log: log})
	a.Training.OnGraduation(a.Followup.OnGraduation)
	a.Assess = assess.NewService(assess.Deps{DB: s.DB, Settings: a.Settings, Training: a.Training, Teachers: folks, Notifier: assessNotifier{a.Notify}, Audit: a.Audit, Log: log})
	a.Training.SetEvaluations(a.Assess)
	a.Portal = portal.NewService(portal.Deps{DB: s.DB, Cache: s.Cache, Settings: a.Settings, Audit: a.Audit, Log: log,
		Sources: portalSources{catalog: a.Catalog, training: a.Training, hours: a.Hours, id: a.Identity, store: idStore}})
	a.Catalog.OnFeatured(func(ctx context.Context) { a.Portal.Invalidate(ctx, "content") })
	a.Dash = dashboard.NewService(dashboard.Deps{Directory: directory{id: a.Identity, store: idStore}, Ledger: a.Hours, Exams: a.Exams,
		Trainings: a.Training, Followups: a.Followup, Assessments: a.Assess, Settings: a.Settings, Cache: s.Cache, Audit: a.Audit, Log: log})
	a.Reports = reports.NewService(reports.Deps{DB: s.DB, Cache: s.Cache, Objects: s.Objects, Directory: reportsDirectory{store: idStore},
		Dashboard: a.Dash, Classes: a.Training, Followups: a.Followup, Audit: a.Audit, Log: log})
	a.Sites = sites.NewService(sites.Deps{DB: s.DB, Orgs: siteOrgs{store: idStore}, Audit: a.Audit, Log: log})
	a.Sites.SetSessions(siteSessions{training: a.Training})
	a.Sites.SetObjects(s.Objects)
	wireSiteReads(a)
	a.Faculty = faculty.NewService(faculty.Deps{DB: s.DB, Settings: a.Settings, Timetable: facultyTimetable{a.Training},
		Evaluations: facultyEvaluations{a.Assess}, Trainings: facultyTrainings{a.Training}, Lectures: facultyLectures{catalog: a.Catalog, store: idStore}, Cache: s.Cache, Audit: a.Audit, Log: log})
	a.Training.SetTeachers(trainingTeachers{a.Faculty})
	a.Faculty.SetSpeakers(a.Training)
	a.Faculty.SetObjects(s.Objects)
	a.Faculty.SetCourses(facultyCourses{a.Catalog})
	a.Training.SetSites(trainingSites{a.Sites})
	a.Programs = programs.NewService(programs.Deps{DB: s.DB, People: programPeople{id: a.Identity, store: idStore}, Classes: a.Training, Audit: a.Audit, Log: log})
	a.Through = throughtrain.NewService(throughtrain.Deps{DB: s.DB, Objects: s.Objects, Classes: throughClasses{a.Training},
		People: throughPeople{id: a.Identity, store: idStore}, Teachers: throughTeachers{a.Faculty}, Notifier: a.Notify,
		Courses: caseCourses{catalog: a.Catalog, store: idStore}, Audit: a.Audit, Log: log})
	a.Followup.SetThroughTrain(followupThrough{a.Through})

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := newHTTPMetrics(reg)
	if err := cfg.validateWeb(); err != nil {
		return nil, err
	}

	app := fiber.New(fiber.Config{
		AppName:      "college",
		ErrorHandler: web.ErrorHandler(log, engine),
		// Bodies above BodyLimit are streamed to the handler instead of
		// buffered: uploads read them as a stream (web.MultipartFile), and
		// every other route refuses them by their declared length.
		BodyLimit:               4 << 20,
		StreamRequestBody:       true,
		ReadTimeout:             60 * time.Second,
		WriteTimeout:            0,
		IdleTimeout:             120 * time.Second,
		ProxyHeader:             proxyHeader(cfg),
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		DisableStartupMessage:   true,
		JSONEncoder:             gojson.Marshal, // drop-in, faster on the hot paths

	})
	a.Fiber = app
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		log.Error("panic", "rid", web.RequestID(c), "path", c.Path(), "panic", fmt.Sprint(e))
	}}))
	app.Use(requestIDs())
	app.Use(web.SecureHeaders(web.Site{BaseURL: cfg.BaseURL(), HTTPS: cfg.HTTPS, ObjectOrigin: objectOrigin(cfg)}))
	app.Use(web.RemoveUploadFiles)
	app.Use(accessLog(log))
	app.Use(metrics.middleware)
	app.Use(limitJSONBody)
	app.Use(web.Deadline(cfg.RequestTimeout, cfg.LongRequestTimeout))

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", a.readyz)
	scrape := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if cfg.MetricsToken != "" {
		scrape = bearerOnly(cfg.MetricsToken, scrape)
	}
	switch {
	case cfg.MetricsAddr != "":
		a.metricsHandler = scrape // on its own listener (Serve), not here
	case cfg.MetricsToken != "":
		app.Get("/metrics", adaptHTTP(scrape))
	}
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(mustSub(static.FS, "assets")), MaxAge: 86400 * 30}))

	idh := identity.NewHandlers(a.Identity, engine, cfg.SecureCookies || cfg.HTTPS)
	// before the caller is known, to see every refusal
	app.Use(web.AuditGuard(a.Audit, log, func() web.AuditObserver { return a.AuditObserver }))
	app.Use(idh.Authenticate)
	app.Use(idh.RequirePasswordChange)
	app.Use(web.ConfineSystemAdminPages(systemAdminPages, "/", "/profile", "/logout", "/login", "/portal", "/notices", "/colleges", "/bases"))
	app.Use(web.CheckCSRF)

	apiRouter := app.Group("/api/v1")
	a.API = web.NewAPI(apiRouter, "/api/v1")
	pages := app.Group("")

	idh.Register(a.API, pages)
	settings.NewHandlers(a.Settings, engine).Register(a.API, pages)
	audit.NewHandlers(a.Audit, engine).Register(a.API, pages)
	hh := hours.NewHandlers(a.Hours, folks, engine)
	hh.SetArchiveExtras(a.Followup.ArchiveNotes)
	hh.Register(a.API, pages)
	ch := catalog.NewHandlers(a.Catalog, engine)
	ch.Redirect = cfg.S3.Redirect
	ch.Register(a.API, pages)
	learning.NewHandlers(a.Learning, engine).Register(a.API, pages)
	exam.NewHandlers(a.Exams, engine, s.Objects).Register(a.API, pages)
	notify.NewHandlers(a.Notify, engine).Register(a.API, pages)
	training.NewHandlers(a.Training, engine, s.Objects).Register(a.API, pages)
	followup.NewHandlers(a.Followup, engine, s.Objects).Register(a.API, pages)
	assess.NewHandlers(a.Assess, engine).Register(a.API, pages)
	dashboard.NewHandlers(a.Dash, engine).Register(a.API, pages)
	reports.NewHandlers(a.Reports, engine).Register(a.API, pages)
	sites.NewHandlers(a.Sites, engine).Register(a.API, pages)
	bases.NewHandlers(a.Bases, engine, s.Objects).Register(a.API, pages)
	faculty.NewHandlers(a.Faculty, engine, log).Register(a.API, pages)
	programs.NewHandlers(a.Programs, engine).Register(a.API, pages)
	throughtrain.NewHandlers(a.Through, engine, s.Objects, log).Register(a.API, pages)
	engine.SetUnread(a.Notify.Unread)
	ph := portal.NewAPI(a.Portal, engine, s.Objects)
	ph.Register(a.API, pages)
	front := portal.New(engine, homeSections()).ForVisitors(ph.PortalPage)
	front.SetMemberHome(home.New(engine, a.homeSources(), homeGroups(homeSections()), log).Page)
	front.Register(pages)
	search.NewHandlers(search.New(log, a.searchSources()...), engine).Register(a.API, pages)

	apiRouter.Get("/openapi.json", func(c *fiber.Ctx) error {
		return c.JSON(a.API.OpenAPI("干部网络学院 API", Version))
	})
	apiRouter.Use(func(c *fiber.Ctx) error { return web.NotFound() })
	a.ready.Store(true)
	return a, nil
}

// systemAdminPages are the pages each of the three system administrators
// may open besides their own account (三员分立): the API is confined by the
// roles of each route.
var systemAdminPages = map[string][]string{
	web.RoleSysAdmin: {"/admin/orgs", "/admin/users", "/admin/settings"},
	web.RoleSecAdmin: {"/admin/users", "/admin/orgs"},
	web.RoleAuditor:  {"/admin/audit"},
}

func homeSections() []portal.Section {
	admins := []string{web.RoleSysAdmin, web.RoleSecAdmin, web.RoleUnitAdmin, web.RoleOrgAdmin, web.RoleCollegeAdmin}
	cadres := []string{web.RoleLearner, web.RoleUnitAdmin, web.RoleCollegeAdmin, web.RoleTeacher, web.RoleOrgAdmin}
	return []portal.Section{
		{Title: "课程学习", Desc: "浏览课程目录，在线学习视频和图文课程", Href: "/courses", Icon: "课", Roles: cadres},
		{Title: "我的课程", Desc: "正在学习和已完成的课程", Href: "/me/courses", Icon: "学", Roles: cadres},
		{Title: "我的学时", Desc: "本年度学时完成情况与学习档案", Href: "/me/hours", Icon: "时", Roles: cadres},
		{Title: "在线考试", Desc: "参加理论考试与课程测试，查看成绩", Href: "/exams", Icon: "考", Roles: cadres},
		{Title: "练习与错题本", Desc: "随机练习，即时判分与解析，错题自动收录", Href: "/practice", Icon: "练", Roles: cadres},
		{Title: "消息通知", Desc: "培训通知等站内消息，查看未读提醒", Href: "/me/notifications", Icon: "信", Roles: cadres},
		{Title: "培训班次", Desc: "报名参加培训班，查看课表、签到、请假和结业证书", Href: "/classes", Icon: "班", Roles: cadres},
		{Title: "讲坛讲座", Desc: "领导干部和专家学者的专题讲座，到场扫码签到", Href: "/lectures", Icon: "坛", Roles: cadres},
		{Title: "我的评估", Desc: "评价参加的班次、课程和授课教师（匿名）", Href: "/me/evaluations", Icon: "评", Roles: cadres},
		{Title: "我的教学评价", Desc: "学员对本人授课的匿名评价汇总与趋势", Href: "/me/teaching", Icon: "教", Roles: []string{web.RoleTeacher}},
		{Title: "跟踪问效", Desc: "结业后的自学计划、述学讲学、年度自述和问效结果", Href: "/me/followup", Icon: "效", Roles: cadres},
		{Title: "调训报名", Desc: "推荐本单位干部参训，查看名额使用和参训情况", Href: "/unit/classes", Icon: "调", Roles: []string{web.RoleUnitAdmin}},
		{Title: "学员直通车", Desc: "结业后就工作中的实际问题向主办学院提问、求助", Href: "/me/through-train", Icon: "通", Roles: cadres},
		{Title: "本单位跟踪问效", Desc: "本单位干部的问效情况、问效报告和逾期任务", Href: "/unit/followup", Icon: "问", Roles: []string{web.RoleUnitAdmin}},
		{Title: "个人信息", Desc: "查看本人账号与资料，修改登录密码", Href: "/profile", Icon: "人"},
		{Title: "课程管理", Desc: "新建课程、上传视频、发布与统计", Href: "/admin/courses", Icon: "管", Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}},
		{Title: "考试管理", Desc: "题库、导入、组卷、阅卷与成绩统计", Href: "/admin/exams", Icon: "卷", Roles: []string{web.RoleCollegeAdmin}},
		{Title: "班次管理", Desc: "班次计划、备案、报名审核、考勤请假与结班", Href: "/admin/classes", Icon: "训", Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}},
		{Title: "综合管理", Desc: "学时达标、考试通过率和参训情况，按单位逐级查看并导出", Href: "/admin/dashboard", Icon: "综", Roles: []string{web.RoleOrgAdmin, web.RoleUnitAdmin}},
		{Title: "统计报表", Desc: "学时达标、班次统计、理论考试和跟踪问效报表，后台生成后下载 Excel", Href: "/admin/reports", Icon: "报", Roles: []string{web.RoleOrgAdmin, web.RoleUnitAdmin}},
		{Title: "现场教学点", Desc: "现场教学点的申报、论证、审批、启用和预约", Href: "/admin/sites", Icon: "点", Roles: []string{web.RoleOrgAdmin, web.RoleUnitAdmin}},
		{Title: "教学点一览", Desc: "使用中的现场教学点及开放时间", Href: "/sites", Icon: "址", Roles: []string{web.RoleCollegeAdmin, web.RoleTeacher, web.RoleLearner}},
		{Title: "备案审核", Desc: "审核各学院提交的班次计划", Href: "/admin/filings", Icon: "备", Roles: []string{web.RoleOrgAdmin}},
		{Title: "培训基地", Desc: "培训基地准入申请、审核备案与年度复核", Href: "/admin/bases", Icon: "基", Roles: bases.Appliers},
		{Title: "重点培训项目", Desc: "按规则确定培训对象，关联班次，查看各分组、各单位的覆盖情况", Href: "/admin/programs", Icon: "项", Roles: programs.Managers},
		{Title: "跟踪问效管理", Desc: "按班次和单位的问效概览、逾期问效、工作专班和优秀案例", Href: "/admin/followup", Icon: "踪", Roles: []string{web.RoleOrgAdmin, web.RoleCollegeAdmin}},
		{Title: "直通车答复", Desc: "结业学员的问题与求助：指派教师答复、标记优秀案例", Href: "/admin/through-train", Icon: "答", Roles: throughtrain.Staff},
		{Title: "评估管理", Desc: "评估表设计，课程、教师和班次评估结果", Href: "/admin/forms", Icon: "估", Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}},
		{Title: "师资库", Desc: "校内教师、外聘专家和领导干部的授课记录、评估满意率与整改", Href: "/admin/teachers", Icon: "师", Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}},
		{Title: "讲坛管理", Desc: "安排领导干部和专家讲座，现场签到、签到名单与讲座录像", Href: "/admin/lectures", Icon: "讲", Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}},
		{Title: "质量考核", Desc: "培训项目质量考核评分与年度排名", Href: "/admin/quality", Icon: "质", Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}},
		{Title: "组织机构", Desc: "组织部门、学院和单位的树形结构", Href: "/admin/orgs", Icon: "构", Roles: admins},
		{Title: "用户管理", Desc: "查询、新建、停用用户，Excel 批量导入", Href: "/admin/users", Icon: "员", Roles: admins},
		{Title: "系统设置", Desc: "登录安全等规则参数", Href: "/admin/settings", Icon: "设", Roles: []string{web.RoleSysAdmin}},
		{Title: "审计日志", Desc: "登录与管理操作记录", Href: "/admin/audit", Icon: "审", Roles: []string{web.RoleAuditor}},
	}
}

func proxyHeader(cfg Config) string {
	if len(cfg.TrustedProxies) > 0 {
		return "X-Real-IP"
	}
	return ""
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// requestIDs gives each request an id: the instance's random prefix and a
// counter, unique across instances and restarts and cheap on hot paths. A
// proxy's X-Request-Id is kept when it is a plausible id (clientRequestID).
func requestIDs() fiber.Handler {
	prefix := uuid.NewString()[:8]
	var counter atomic.Uint64
	return func(c *fiber.Ctx) error {
		rid := c.Get("X-Request-Id")
		if !clientRequestID(rid) {
			rid = prefix + "-" + strconv.FormatUint(counter.Add(1), 36)
		} else {
			rid = strings.Clone(rid)
		}
		c.Locals(web.RequestIDKey, rid)
		c.Set("X-Request-Id", rid)
		return c.Next()
	}
}

// clientRequestID reports whether a request id sent by the client may be
// kept: 1 to 64 letters, digits and ".-_:", so that it cannot forge log
// fields or fill the logs.
func clientRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_' || b == '.' || b == ':') {
			return false
		}
	}
	return true
}

// slowRequest is when a request is logged even at info level.
const slowRequest = time.Second

// accessLog logs every request at debug level, and slow or failed ones
// (5xx are logged by the error handler with their cause) at info.
func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		d := time.Since(start)
		level := slog.LevelDebug
		if d >= slowRequest {
			level = slog.LevelInfo
		}
		if !log.Enabled(c.UserContext(), level) {
			return err
		}
		status := c.Response().StatusCode()
		if err != nil {
			status = web.AsError(err).Status
		}
		log.Log(c.UserContext(), level, "request", "rid", web.RequestID(c), "method", c.Method(), "path", c.Path(),
			"status", status, "ms", d.Milliseconds(), "ip", c.IP())
		return err
	}
}

// limitJSONBody refuses JSON bodies over maxJSONBody with 413.
func limitJSONBody(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) || c.Get(fiber.HeaderContentType) == fiber.MIMEApplicationForm {
		if n := c.Request().Header.ContentLength(); n > maxJSONBody || n == -1 {
			return web.TooLarge("请求内容过大")
		}
	}
	return c.Next()
}

// Config is the configuration the college was built with.
func (a *App) Config() Config { return a.cfg }

// Ready reports whether /readyz answers that this instance takes traffic;
// SetReady changes it, as Serve does on start and on shutdown.
func (a *App) Ready() bool { return a.ready.Load() }

// SetReady sets what /readyz answers.
func (a *App) SetReady(ready bool) { a.ready.Store(ready) }

// Addrs are the addresses Serve listens on, for the API and for a separate
// metrics listener ("" until it listens, or without one).
func (a *App) Addrs() (api, metrics string) {
	api, _ = a.listenOn.Load().(string)
	metrics, _ = a.metricsOn.Load().(string)
	return api, metrics
}

func (a *App) readyz(c *fiber.Ctx) error {
	if !a.ready.Load() {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "shutting_down"})
	}
	checks, ok := a.readiness(c.UserContext())
	status := fiber.StatusOK
	if !ok {
		status = fiber.StatusServiceUnavailable
		a.log.Warn("not ready", "checks", checks)
	}
	body := fiber.Map{"status": map[bool]string{true: "ok", false: "unavailable"}[ok]}
	// What is down and why is for the operator (the metrics token), not
	// for anyone on the internet.
	if a.cfg.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(c.Get(fiber.HeaderAuthorization)), []byte("Bearer "+a.cfg.MetricsToken)) == 1 {
		body["checks"] = checks
	}
	return c.Status(status).JSON(body)
}

// readyTimeout bounds each dependency's check.
const readyTimeout = time.Second

// readiness checks every dependency at once, each within readyTimeout, so
// a frozen one is reported as itself and answers in a second.
func (a *App) readiness(ctx context.Context) (map[string]string, bool) {
	mode := "redis"
	if a.Cache.Embedded() {
		mode = "embedded"
	}
	probes := map[string]func(context.Context) error{
		"database (" + a.DB.Dialector.Name() + ")": func(ctx context.Context) error { return db.Ping(ctx, a.DB) },
		"redis (" + mode + ")":                     func(ctx context.Context) error { return a.Cache.Ping(ctx).Err() },
		"objects (" + a.Objects.Name() + ")":       a.Objects.Ping,
	}
	if a.DB.Dialector.Name() == "sqlite" || a.Objects.Name() == "local" {
		probes["disk ("+a.cfg.DataDir+")"] = func(context.Context) error { return diskWritable(a.cfg.DataDir) }
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	checks := map[string]string{}
	ok := true
	for name, probe := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, readyTimeout)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- probe(pctx) }()
			var err error
			select {
			case err = <-done:
			case <-pctx.Done():
				err = fmt.Errorf("no answer within %s", readyTimeout)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				checks[name] = "error: " + err.Error()
				ok = false
				return
			}
			checks[name] = "ok"
		}()
	}
	wg.Wait()
	dctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if warn, err := a.Cache.Durability(dctx); err == nil && len(warn) > 0 {
		// Not a failure: the college runs, but a Redis restart would cost
		// what the warning says.
		checks["redis durability"] = "warning: " + strings.Join(warn, "; ")
	}
	return checks, ok
}

// Serve listens until ctx ends, then stops taking traffic, drains and returns.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.cfg.Addr, err)
	}
	a.listenOn.Store(ln.Addr().String())
	if a.metricsHandler != nil {
		stop, err := a.serveMetrics()
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer stop()
	}
	a.log.Info("college listening", "addr", ln.Addr().String(), "db", a.DB.Dialector.Name(), "redis_embedded", a.Cache.Embedded(), "objects", a.Objects.Name())
	if warn, err := a.Cache.Durability(ctx); err != nil {
		a.log.Warn("redis: cannot read its persistence settings", "err", err)
	} else {
		for _, w := range warn {
			a.log.Warn("redis: " + w)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Fiber.Listener(ln) }()
	jobs, stopJobs := context.WithCancel(context.Background())
	flushed := make(chan struct{})
	go func() { a.Flusher.Run(jobs); close(flushed) }()
	go a.Exams.RunSweeper(jobs, 5*time.Second)
	go a.Training.RunSweeper(jobs, 30*time.Second)
	go a.Followup.RunReminders(jobs, time.Hour)
	go a.Audit.RunSealer(jobs, 5*time.Second)
	go a.Audit.RunRetention(jobs, time.Hour)
	go a.Sessions.RunPurge(jobs, 10*time.Minute)
	go a.Reports.RunJobs(jobs, 3*time.Second)
	go a.Faculty.RunCorrectionSweep(jobs, time.Hour)
	select {
	case err := <-errc:
		stopJobs()
		<-flushed
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: readiness off, draining connections")
	a.ready.Store(false)
	if err := a.Fiber.ShutdownWithTimeout(a.cfg.ShutdownTimeout); err != nil {
		a.log.Warn("shutdown", "err", err)
	}
	<-errc
	stopJobs() // the flusher writes what is left, then releases its lease
	<-flushed
	return nil
}

// serveMetrics serves /metrics, and nothing else, on metrics_addr: an
// address the load balancer does not expose. stop ends it.
func (a *App) serveMetrics() (stop func(), err error) {
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen %s (metrics_addr): %w", a.cfg.MetricsAddr, err)
	}
	a.metricsOn.Store(ln.Addr().String())
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metricsHandler)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics listener", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// bearerOnly lets through requests carrying "Authorization: Bearer token".
func bearerOnly(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// objectOrigin is the object store's origin when browsers are redirected to
// it for media (the CSP must allow it), else "".
func objectOrigin(cfg Config) string {
	if !cfg.S3.Redirect || cfg.S3.Endpoint == "" {
		return ""
	}
	if cfg.S3.Secure {
		return "https://" + cfg.S3.Endpoint
	}
	return "http://" + cfg.S3.Endpoint
}

// Close releases the stores.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	counters sync.Map // counterKey -> prometheus.Counter
	timers   sync.Map // timerKey -> prometheus.Observer
}

type counterKey struct {
	method, route string
	status        int
}

type timerKey struct{ method, route string }

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "college_http_requests_total", Help: "HTTP requests by route and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "college_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		var we *web.Error
		var fe *fiber.Error
		switch {
		case errors.As(err, &we):
			status = we.Status
		case errors.As(err, &fe):
			status = fe.Code
		default:
			status = 500
		}
	}
	// The method (and for unmatched requests the route) alias Fiber's
	// request buffers, which the next request on the connection overwrites:
	// everything kept beyond this request, map keys and label values alike,
	// is a copy.
	route := c.Route().Path
	method := c.Method()
	ck := counterKey{method, route, status}
	ctr, ok := m.counters.Load(ck)
	if !ok {
		method, route := strings.Clone(method), strings.Clone(route)
		ctr, _ = m.counters.LoadOrStore(counterKey{method, route, status}, m.requests.WithLabelValues(method, route, strconv.Itoa(status)))
	}
	ctr.(prometheus.Counter).Inc()
	tk := timerKey{method, route}
	obs, ok := m.timers.Load(tk)
	if !ok {
		method, route := strings.Clone(method), strings.Clone(route)
		obs, _ = m.timers.LoadOrStore(timerKey{method, route}, m.duration.WithLabelValues(method, route))
	}
	obs.(prometheus.Observer).Observe(time.Since(start).Seconds())
	return err
}
