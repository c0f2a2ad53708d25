-- The DR standby's own metadata database (RAGLINE_DR_JDBC_URL of the workflows service): a
-- DisasterRecoveryWorkflow drill with target "dr" restores the latest backup into it. Runs once,
-- when the postgres volume is first initialised; ./ragline up --distributed creates it itself.
CREATE DATABASE ragline_dr OWNER ragline;
