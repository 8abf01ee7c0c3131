//! Times the policy picker: a keystroke in its filter (through `update`, which refilters the
//! catalogue) and a frame of the Policies pane (which reads the cached list and highlights the
//! visible rows), over 1,500 policy names, as many as a real account has.
//!
//! Beside each keystroke, in the same run and over the same names and keystrokes, two peers: the
//! plain case-insensitive substring filter a simple tool uses (lowercase every name, keep those
//! that contain the query), and a bare nucleo `Pattern::match_list` (the fuzzy matcher iamwiz
//! uses, without iamwiz's ranking, state and cached lists).
//!
//! `cargo bench --bench picker` prints the figures (release build); `scripts/bench` reads its
//! `bench:` lines (`name median p99 max samples`, in µs). Under `cargo test --all-targets` it only
//! runs a few rounds, as a smoke test.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamwiz::app::{App, Command, Msg, PermPane, Screen, update};
use iamwiz::protocol::{Event, PolicyInfo, PolicyScope, Request};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SERVICES: [&str; 50] = [
    "S3",
    "EC2",
    "Lambda",
    "DynamoDB",
    "RDS",
    "IAM",
    "KMS",
    "SQS",
    "SNS",
    "CloudWatch",
    "CloudFormation",
    "CloudTrail",
    "CodeBuild",
    "CodeCommit",
    "CodeDeploy",
    "CodePipeline",
    "ECS",
    "EKS",
    "ECR",
    "ElastiCache",
    "Elasticsearch",
    "Kinesis",
    "Redshift",
    "Route53",
    "SageMaker",
    "SecretsManager",
    "SSM",
    "StepFunctions",
    "Glue",
    "Athena",
    "Bedrock",
    "Cognito",
    "APIGateway",
    "AppSync",
    "Backup",
    "Batch",
    "Config",
    "DataPipeline",
    "DirectConnect",
    "EventBridge",
    "GuardDuty",
    "Inspector2",
    "Macie",
    "MQ",
    "Neptune",
    "OpenSearch",
    "QuickSight",
    "SES",
    "WAF",
    "XRay",
];

const KINDS: [&str; 30] = [
    "FullAccess",
    "ReadOnlyAccess",
    "PowerUser",
    "ServiceRolePolicy",
    "ExecutionRole",
    "ConsoleFullAccess",
    "ReadWriteAccess",
    "AdminAccess",
    "DeveloperAccess",
    "Operator",
    "ServiceRole",
    "ManagedPolicy",
    "_FullAccess",
    "_ReadOnlyAccess",
    "-Administrator",
    "DataAccess",
    "AutomationRole",
    "AuditAccess",
    "BackupPolicy",
    "RestorePolicy",
    "InvokeAccess",
    "PublishAccess",
    "ConnectorPolicy",
    "EncryptionPolicy",
    "MonitoringRole",
    "ReplicationRole",
    "LoggingPolicy",
    "SupportAccess",
    "BillingAccess",
    "TaggingPolicy",
];

/// 1,500 names shaped like AWS managed policy names, sorted as the worker sorts them.
fn catalogue() -> Vec<PolicyInfo> {
    let mut policies = Vec::new();
    for (i, service) in SERVICES.iter().enumerate() {
        for (j, kind) in KINDS.iter().enumerate() {
            let prefix = ["Amazon", "AWS", ""][(i + j) % 3];
            let name = format!("{prefix}{service}{kind}");
            policies.push(PolicyInfo {
                arn: format!("arn:aws:iam::aws:policy/{name}"),
                name,
                scope: PolicyScope::Aws,
                description: String::new(),
                path: "/".into(),
            });
        }
    }
    policies.sort_by_key(|p| p.name.to_lowercase());
    policies
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, modifiers))
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rounds = if full { 200 } else { 2 };

    let policies = catalogue();
    assert_eq!(policies.len(), 1_500);
    let (mut app, cmds) = App::new((80, 24));
    let seq = cmds
        .iter()
        .find_map(|c| match c {
            Command::Worker(Request::LoadPolicies { seq }) => Some(*seq),
            _ => None,
        })
        .expect("the policies are requested");
    let names: Vec<String> = policies.iter().map(|p| p.name.clone()).collect();
    let started = Instant::now();
    update(
        &mut app,
        Msg::Worker(Event::Policies {
            seq,
            result: Ok(policies),
        }),
    );
    let prepare = started.elapsed();
    app.screen = Screen::Permissions;
    app.focus.pane = PermPane::Policies;

    let queries = ["readonly", "s3full", "lambdaexec", "xyz", "a"];
    let mut keystrokes: Vec<Duration> = Vec::new();
    let mut frames: Vec<Duration> = Vec::new();
    let mut substring: Vec<Duration> = Vec::new();
    let mut fuzzy: Vec<Duration> = Vec::new();
    let mut matcher = Matcher::new(Config::DEFAULT);
    // What the filter holds after each keystroke, for the peers.
    let mut typed = String::new();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    for _ in 0..rounds {
        for query in queries {
            typed.clear();
            for c in query.chars() {
                typed.push(c);
                let t = Instant::now();
                update(&mut app, key(KeyCode::Char(c), KeyModifiers::NONE));
                keystrokes.push(t.elapsed());
                let t = Instant::now();
                terminal.draw(|f| iamwiz::ui::view(&app, f)).expect("drawn");
                frames.push(t.elapsed());

                // Peer: a plain case-insensitive substring filter.
                let t = Instant::now();
                let needle = typed.to_lowercase();
                let kept: Vec<&String> = names
                    .iter()
                    .filter(|n| n.to_lowercase().contains(&needle))
                    .collect();
                substring.push(t.elapsed());
                std::hint::black_box(kept);

                // Peer: nucleo's own fuzzy filter, sorted by score.
                let t = Instant::now();
                let pattern = Pattern::parse(&typed, CaseMatching::Ignore, Normalization::Smart);
                let kept = pattern.match_list(names.iter(), &mut matcher);
                fuzzy.push(t.elapsed());
                std::hint::black_box(kept);
            }
            assert_eq!(app.focus.policies.filter.value(), query);
            update(&mut app, key(KeyCode::Char('u'), KeyModifiers::CONTROL));
        }
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let report = |what: &str, id: &str, mut v: Vec<Duration>| -> f64 {
        v.sort_unstable();
        let mean = v.iter().sum::<Duration>() / v.len() as u32;
        let median = v[v.len() / 2];
        let p99 = v[v.len() * 99 / 100];
        let max = v[v.len() - 1];
        println!(
            "{what:<30} median {:>7.1} µs   mean {:>7.1} µs   p99 {:>7.1} µs   max {:>7.1} µs   ({} samples)",
            us(median),
            us(mean),
            us(p99),
            us(max),
            v.len()
        );
        println!(
            "bench: {id} {:.1} {:.1} {:.1} {}",
            us(median),
            us(p99),
            us(max),
            v.len()
        );
        us(median)
    };
    println!(
        "prepare 1,500 names            {:>7.1} µs (once, when the catalogue arrives)",
        us(prepare)
    );
    println!("bench: prepare {0:.1} {0:.1} {0:.1} 1", us(prepare));
    let ours = report("keystroke (refilter 1,500)", "keystroke", keystrokes);
    report("frame (80x24, highlights)", "frame", frames);
    let plain = report("peer: substring filter", "substring", substring);
    let nucleo = report("peer: nucleo match_list", "nucleo", fuzzy);
    println!(
        "keystroke / substring filter: {:.2}x   keystroke / nucleo match_list: {:.2}x",
        ours / plain,
        ours / nucleo
    );
}
