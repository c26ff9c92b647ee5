package dev.cairn;

/**
 * A task, the computation of one partition of one dataset, failed. The cause is the exception
 * the user's function (or the storage) threw.
 */
public class TaskFailedException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final int datasetId;
    private final int partition;

    /**
     * @param dataset   how the dataset is shown in messages, e.g. {@code MapPartitionsDataset[3]}
     * @param datasetId the dataset's id
     * @param partition the partition index
     * @param cause     what the task threw
     */
    public TaskFailedException(String dataset, int datasetId, int partition, Throwable cause) {
        super("Cannot compute partition " + partition + " of dataset " + dataset + " (expected the task to finish, found "
                + cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")", cause);
        this.datasetId = datasetId;
        this.partition = partition;
    }

    /** Id of the dataset whose partition failed. */
    public int datasetId() {
        return datasetId;
    }

    /** Index of the partition that failed. */
    public int partition() {
        return partition;
    }
}
