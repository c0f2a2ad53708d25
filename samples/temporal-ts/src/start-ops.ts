// Starts ragline's operations workflows with Temporal's TypeScript SDK, by workflow type name and with the JSON
// inputs of deployment-workflows/README.md, as the Temporal UI's Start Workflow form does: BackupWorkflow with {},
// then the DR drill from the backup it took. Nothing of ragline's own code is involved on this side: the Java ops
// worker on task queue ragline-ops reads the inputs with Temporal's default JSON converter.
//
//   npm ci && npm start                     (against ./ragline up --distributed, or any runtime with the ops worker)
//
// Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default "default"), DR_SOURCE (where
// the drill reads backups; default: the target the backup just went to), DR_TARGET (environment, default "dr").
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';

const TASK_QUEUE = 'ragline-ops';

/** The fields of io.ragline.ops.backup.BackupResult this sample prints. */
interface BackupResult {
  backupId: string;
  target: string;
  createdAt: string;
  artifacts: number;
  totalBytes: number;
}

/** The fields of io.ragline.ops.dr.DrResult this sample prints. */
interface DrResult {
  mode: string;
  backupId: string;
  environment: string;
  rpoSeconds: number;
  rpoDocuments: number | null;
  rtoSeconds: number;
  tornDown: boolean;
}

/** A UTC timestamp as ragline's own workflow ids carry it: 20260115T093000Z. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Why a workflow failed: the innermost cause's message (an ApplicationFailure's type and message). */
function reason(error: unknown): string {
  let e: unknown = error;
  while (e instanceof Error && e.cause instanceof Error) {
    e = e.cause;
  }
  return e instanceof Error ? e.message : String(e);
}

async function run<R>(client: Client, workflowType: string, workflowId: string, input: object): Promise<R> {
  const handle = await client.workflow.start(workflowType, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  console.log(`started ${workflowType} ${workflowId} (run ${handle.firstExecutionRunId}) with ${JSON.stringify(input)}`);
  try {
    return await handle.result();
  } catch (error) {
    if (error instanceof WorkflowFailedError) {
      throw new Error(`${workflowType} ${workflowId} failed: ${reason(error)}`);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });

    // "{} is a valid input (the worker's defaults fill the gaps)"
    const backup = await run<BackupResult>(client, 'BackupWorkflow', `backup/ts-${stamp()}`, {});
    console.log(`backup ${backup.backupId}: ${backup.artifacts} files, ${backup.totalBytes} bytes in ${backup.target}`
      + ` (taken ${backup.createdAt})`);

    // the README's drill input, reading from where that backup went
    const target = process.env.DR_TARGET ?? 'dr';
    const drill = { mode: 'DRILL', source: process.env.DR_SOURCE ?? backup.target, target };
    const dr = await run<DrResult>(client, 'DisasterRecoveryWorkflow', `dr/${target}`, drill);
    const lost = dr.rpoDocuments === null ? 'not measured' : `${dr.rpoDocuments} documents`;
    console.log(`${dr.mode} into ${dr.environment} from backup ${dr.backupId}: RPO ${lost} (${dr.rpoSeconds} s),`
      + ` RTO ${dr.rtoSeconds} s${dr.tornDown ? ', torn down' : ''}`);
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
