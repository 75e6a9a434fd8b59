// Every screen of the client: its path, title, who may open it, whether it is in the navigation,
// and its module (loaded on first use). The desk workbench adds its rows here.
const screen = (name) => () => import(`../screens/${name}.js`);
const DESK_ROLES = ["coordinator", "department", "institution", "viewer", "admin", "auditor"];

export const ROUTES = [
  { path: "/app/login", title: "登录", public: true, load: screen("LoginScreen") },
  { path: "/app/policies/match", title: "不来即享", public: true, load: screen("PolicyMatchScreen") },
  { path: "/app/feedback/:token", title: "评价办理结果", public: true, load: screen("FeedbackLinkScreen") },
  { path: "/app/enterprises", title: "我的企业", roles: ["liaison"], nav: true, load: screen("MyEnterprises") },
  { path: "/app/enterprises/:id", title: "企业详情", roles: ["liaison"], load: screen("EnterpriseDetail") },
  { path: "/app/visits/new", title: "走访登记", roles: ["liaison"], load: screen("VisitScreen") },
  { path: "/app/my-problems", title: "我的问题", roles: ["liaison"], nav: true, load: screen("ProblemListScreen") },
  { path: "/app/requests", title: "我的诉求", roles: ["enterprise"], nav: true, load: screen("ProblemListScreen") },
  { path: "/app/requests/new", title: "提交诉求", roles: ["enterprise"], nav: true, load: screen("RequestScreen") },
  { path: "/app/problems/:id", title: "问题详情", roles: ["liaison", "enterprise", ...DESK_ROLES], load: screen("ProblemPage") },
  { path: "/app/reports", title: "月度报表", roles: ["enterprise"], nav: true, load: screen("MonthlyReportScreen") },
  { path: "/app/policies", title: "惠企政策", roles: ["enterprise"], nav: true, load: screen("PoliciesScreen") },
  { path: "/app/my-arrears", title: "我的清欠", roles: ["enterprise", "liaison"], nav: true, load: screen("MyArrearsScreen") },
  { path: "/app/my-arrears/:id", title: "清欠案件", roles: ["enterprise", "liaison"], load: screen("MyArrearsCaseScreen") },
  { path: "/app/queue", title: "待同步", roles: ["liaison", "enterprise"], nav: true, load: screen("QueueScreen") },
  // The desk workbench (工作台): Element Plus and ECharts are loaded by these screens only.
  { path: "/app/tasks", title: "待办任务", roles: ["department"], nav: true, load: screen("TasksScreen") },
  { path: "/app/problems", title: "问题台账", roles: ["coordinator", "viewer", "department"], nav: true, load: screen("LedgerScreen") },
  { path: "/app/dashboard", title: "日调度", roles: ["coordinator", "viewer"], nav: true, load: screen("DashboardScreen") },
  { path: "/app/warnings", title: "预警", roles: ["coordinator", "viewer"], nav: true, load: screen("WarningsScreen") },
  { path: "/app/assessments", title: "考核评价", roles: ["coordinator", "viewer"], nav: true, load: screen("AssessmentScreen") },
  { path: "/app/assessments/departments", title: "部门考核", roles: ["coordinator", "viewer"], load: screen("DepartmentAssessmentScreen") },
  { path: "/app/common-problems", title: "共性问题", roles: ["coordinator", "viewer"], nav: true, load: screen("CommonProblemsScreen") },
  { path: "/app/plans", title: "一企一策", roles: ["coordinator", "viewer"], nav: true, load: screen("PlansScreen") },
  { path: "/app/arrears", title: "清欠", roles: ["coordinator", "viewer"], nav: true, load: screen("ArrearsScreen") },
  { path: "/app/arrears/monthly", title: "清欠月度通报", roles: ["coordinator", "viewer"], load: screen("ArrearsMonthlyScreen") },
  { path: "/app/arrears/:id", title: "清欠案件", roles: ["coordinator", "viewer", "admin"], load: screen("ArrearsCaseScreen") },
  { path: "/app/users", title: "用户管理", roles: ["admin"], nav: true, load: screen("UsersScreen") },
  { path: "/app/holidays", title: "节假日", roles: ["admin"], nav: true, load: screen("HolidaysScreen") },
  { path: "/app/outbox", title: "发送队列", roles: ["admin"], nav: true, load: screen("OutboxScreen") },
  { path: "/app/profile", title: "我的设置", roles: ["liaison", "enterprise", ...DESK_ROLES], load: screen("ProfileScreen") },
  // 对接: needs, the catalogue, institutions' inbox, placements, sessions, figures.
  { path: "/app/needs", title: "对接", roles: ["enterprise", "liaison"], nav: true, load: screen("NeedsScreen") },
  { path: "/app/needs/new", title: "发布需求", roles: ["enterprise", "liaison"], nav: true, load: screen("NeedFormScreen") },
  { path: "/app/needs/figures", title: "对接统计", roles: ["coordinator", "viewer"], nav: true, load: screen("NeedFiguresScreen") },
  { path: "/app/needs/:id", title: "需求详情", roles: ["enterprise", "liaison", ...DESK_ROLES], load: screen("NeedScreen") },
  { path: "/app/catalogue", title: "供需目录", roles: ["enterprise", "liaison", "coordinator", "department"], nav: true,
    load: screen("CatalogueScreen") },
  { path: "/app/financing", title: "融资需求", roles: ["institution"], nav: true, load: screen("FinancingScreen") },
  { path: "/app/labor", title: "用工需求", roles: ["coordinator", "department"], nav: true, load: screen("LaborScreen") },
  { path: "/app/sessions", title: "对接会", roles: ["coordinator", "viewer", "department"], nav: true, load: screen("SessionsScreen") },
  { path: "/app/desk", title: "工作台", roles: ["auditor"],
    nav: true, load: screen("DeskScreen") },
  { path: "/app/", title: "联企通", home: true, load: screen("HomeRedirect") },
  { path: "/app/:rest", title: "页面不存在", notFound: true, public: true, load: screen("NotFoundScreen") },
];

// Where each role lands after signing in (UI.md names the desk homes; the workbench fills them in).
export const HOMES = {
  liaison: "/app/enterprises", enterprise: "/app/requests",
  coordinator: "/app/problems", department: "/app/tasks", institution: "/app/financing", viewer: "/app/dashboard",
  admin: "/app/users", auditor: "/app/desk",
};

export function navFor(role) {
  return ROUTES.filter((r) => r.nav && r.roles?.includes(role));
}
