//! The topic catalogue (DESIGN §3): every snapshot topic as a constant.
//!
//! Topics follow `telemetry.<area>.<name>`. Code publishes and subscribes through these
//! constants so that a typo is a compile error rather than a silently empty dashboard.

/// Common prefix of every telemetry topic; subscribe to it to receive all snapshots.
pub const PREFIX: &str = "telemetry.";

// --- event_bus ---
/// `telemetry.event_bus.health`
pub const EVENT_BUS_HEALTH: &str = "telemetry.event_bus.health";

// --- ingest ---
/// `telemetry.ingest.health`
pub const INGEST_HEALTH: &str = "telemetry.ingest.health";
/// `telemetry.ingest.metrics`
pub const INGEST_METRICS: &str = "telemetry.ingest.metrics";
/// `telemetry.ingest.quality`
pub const INGEST_QUALITY: &str = "telemetry.ingest.quality";
/// `telemetry.ingest.trends`
pub const INGEST_TRENDS: &str = "telemetry.ingest.trends";
/// `telemetry.ingest.failover`
pub const INGEST_FAILOVER: &str = "telemetry.ingest.failover";
/// `telemetry.ingest.failover_drill`
pub const INGEST_FAILOVER_DRILL: &str = "telemetry.ingest.failover_drill";
/// `telemetry.ingest.observability`
pub const INGEST_OBSERVABILITY: &str = "telemetry.ingest.observability";
/// `telemetry.ingest.spark_exports`
pub const INGEST_SPARK_EXPORTS: &str = "telemetry.ingest.spark_exports";
/// `telemetry.ingest.spark_stress`
pub const INGEST_SPARK_STRESS: &str = "telemetry.ingest.spark_stress";

// --- data_backbone ---
/// `telemetry.data_backbone.readiness`
pub const DATA_BACKBONE_READINESS: &str = "telemetry.data_backbone.readiness";
/// `telemetry.data_backbone.validation`
pub const DATA_BACKBONE_VALIDATION: &str = "telemetry.data_backbone.validation";
/// `telemetry.data_backbone.retention`
pub const DATA_BACKBONE_RETENTION: &str = "telemetry.data_backbone.retention";

// --- cache ---
/// `telemetry.cache.health`
pub const CACHE_HEALTH: &str = "telemetry.cache.health";

// --- kafka ---
/// `telemetry.kafka.readiness`
pub const KAFKA_READINESS: &str = "telemetry.kafka.readiness";
/// `telemetry.kafka.lag`
pub const KAFKA_LAG: &str = "telemetry.kafka.lag";

// --- risk ---
/// `telemetry.risk.policy`
pub const RISK_POLICY: &str = "telemetry.risk.policy";
/// `telemetry.risk.policy_violation`
pub const RISK_POLICY_VIOLATION: &str = "telemetry.risk.policy_violation";
/// `telemetry.risk.posture`
pub const RISK_POSTURE: &str = "telemetry.risk.posture";
/// `telemetry.risk.intent_rejected`
pub const RISK_INTENT_REJECTED: &str = "telemetry.risk.intent_rejected";

// --- operational ---
/// `telemetry.operational.execution`
pub const OPERATIONAL_EXECUTION: &str = "telemetry.operational.execution";
/// `telemetry.operational.security`
pub const OPERATIONAL_SECURITY: &str = "telemetry.operational.security";
/// `telemetry.operational.incident_response`
pub const OPERATIONAL_INCIDENT_RESPONSE: &str = "telemetry.operational.incident_response";
/// `telemetry.operational.slos`
pub const OPERATIONAL_SLOS: &str = "telemetry.operational.slos";
/// `telemetry.operational.backups`
pub const OPERATIONAL_BACKUPS: &str = "telemetry.operational.backups";
/// `telemetry.operational.readiness`
pub const OPERATIONAL_READINESS: &str = "telemetry.operational.readiness";
/// `telemetry.operational.system_validation`
pub const OPERATIONAL_SYSTEM_VALIDATION: &str = "telemetry.operational.system_validation";
/// `telemetry.operational.roi`
pub const OPERATIONAL_ROI: &str = "telemetry.operational.roi";

// --- execution ---
/// `telemetry.execution.fix_pilot`
pub const EXECUTION_FIX_PILOT: &str = "telemetry.execution.fix_pilot";
/// `telemetry.execution.dropcopy`
pub const EXECUTION_DROPCOPY: &str = "telemetry.execution.dropcopy";

// --- runtime ---
/// `telemetry.runtime.configuration`
pub const RUNTIME_CONFIGURATION: &str = "telemetry.runtime.configuration";

// --- compliance ---
/// `telemetry.compliance.trade`
pub const COMPLIANCE_TRADE: &str = "telemetry.compliance.trade";
/// `telemetry.compliance.kyc`
pub const COMPLIANCE_KYC: &str = "telemetry.compliance.kyc";
/// `telemetry.compliance.readiness`
pub const COMPLIANCE_READINESS: &str = "telemetry.compliance.readiness";
/// `telemetry.compliance.workflow`
pub const COMPLIANCE_WORKFLOW: &str = "telemetry.compliance.workflow";
/// `telemetry.compliance.governance`
pub const COMPLIANCE_GOVERNANCE: &str = "telemetry.compliance.governance";

// --- sensory ---
/// `telemetry.sensory.snapshot`
pub const SENSORY_SNAPSHOT: &str = "telemetry.sensory.snapshot";
/// `telemetry.sensory.drift`
pub const SENSORY_DRIFT: &str = "telemetry.sensory.drift";

// --- evolution ---
/// `telemetry.evolution.catalogue`
pub const EVOLUTION_CATALOGUE: &str = "telemetry.evolution.catalogue";
/// `telemetry.evolution.lineage`
pub const EVOLUTION_LINEAGE: &str = "telemetry.evolution.lineage";
/// `telemetry.evolution.experiments`
pub const EVOLUTION_EXPERIMENTS: &str = "telemetry.evolution.experiments";
/// `telemetry.evolution.tuning`
pub const EVOLUTION_TUNING: &str = "telemetry.evolution.tuning";

// --- strategy ---
/// `telemetry.strategy.performance`
pub const STRATEGY_PERFORMANCE: &str = "telemetry.strategy.performance";

/// Every topic of the catalogue, grouped by area in DESIGN order.
pub const ALL: &[&str] = &[
    EVENT_BUS_HEALTH,
    INGEST_HEALTH,
    INGEST_METRICS,
    INGEST_QUALITY,
    INGEST_TRENDS,
    INGEST_FAILOVER,
    INGEST_FAILOVER_DRILL,
    INGEST_OBSERVABILITY,
    INGEST_SPARK_EXPORTS,
    INGEST_SPARK_STRESS,
    DATA_BACKBONE_READINESS,
    DATA_BACKBONE_VALIDATION,
    DATA_BACKBONE_RETENTION,
    CACHE_HEALTH,
    KAFKA_READINESS,
    KAFKA_LAG,
    RISK_POLICY,
    RISK_POLICY_VIOLATION,
    RISK_POSTURE,
    RISK_INTENT_REJECTED,
    OPERATIONAL_EXECUTION,
    OPERATIONAL_SECURITY,
    OPERATIONAL_INCIDENT_RESPONSE,
    OPERATIONAL_SLOS,
    OPERATIONAL_BACKUPS,
    OPERATIONAL_READINESS,
    OPERATIONAL_SYSTEM_VALIDATION,
    OPERATIONAL_ROI,
    EXECUTION_FIX_PILOT,
    EXECUTION_DROPCOPY,
    RUNTIME_CONFIGURATION,
    COMPLIANCE_TRADE,
    COMPLIANCE_KYC,
    COMPLIANCE_READINESS,
    COMPLIANCE_WORKFLOW,
    COMPLIANCE_GOVERNANCE,
    SENSORY_SNAPSHOT,
    SENSORY_DRIFT,
    EVOLUTION_CATALOGUE,
    EVOLUTION_LINEAGE,
    EVOLUTION_EXPERIMENTS,
    EVOLUTION_TUNING,
    STRATEGY_PERFORMANCE,
];

/// `true` if `topic` is in the catalogue.
pub fn is_known(topic: &str) -> bool {
    ALL.contains(&topic)
}

/// `true` if `topic` has the shape `telemetry.<area>.<name>` with lower-case ASCII
/// letters, digits and `_` in each part. New topics must satisfy this before they are
/// added to the catalogue.
pub fn is_well_formed(topic: &str) -> bool {
    let Some(rest) = topic.strip_prefix(PREFIX) else {
        return false;
    };
    let mut parts = rest.split('.');
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(n), None) if part_ok(a) && part_ok(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalogue_is_complete_unique_and_well_formed() {
        assert_eq!(ALL.len(), 43);
        let unique: HashSet<_> = ALL.iter().collect();
        assert_eq!(unique.len(), ALL.len());
        for t in ALL {
            assert!(is_well_formed(t), "{t}");
            assert!(is_known(t));
        }
        assert_eq!(EVENT_BUS_HEALTH, "telemetry.event_bus.health");
        assert_eq!(RISK_POSTURE, "telemetry.risk.posture");
        assert_eq!(INGEST_HEALTH, "telemetry.ingest.health");
    }

    #[test]
    fn well_formed_rules() {
        let cases = [
            ("telemetry.a.b", true),
            ("telemetry.event_bus.health", true),
            ("telemetry.kafka.lag2", true),
            ("telemetry.a", false),
            ("telemetry.a.b.c", false),
            ("telemetry..b", false),
            ("Telemetry.a.b", false),
            ("telemetry.A.b", false),
            ("telemetry.a.b-c", false),
            ("telemetry.1a.b", false),
            ("metrics.a.b", false),
            ("", false),
        ];
        for (t, ok) in cases {
            assert_eq!(is_well_formed(t), ok, "{t}");
        }
        assert!(!is_known("telemetry.nope.nope"));
    }
}
