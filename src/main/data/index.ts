// The data-set service other code (training, the app, the CLI) uses.
export { listDatasets, openDataset, removeDataset, getDatasetInfo, createDataset, checkDatasetName } from './registry.ts';
export type { DatasetInfo, DatasetReader, Split } from './registry.ts';
export { LldReader, IN_MEMORY_LIMIT } from './reader.ts';
export { importDataset, IMPORT_FORMATS, type ImportFormat, type ImportOptions } from './import.ts';
export { downloadDataset, downloadFile, downloadPlan, DOWNLOADABLE, type DownloadProgress, type RemoteFile, type DownloadPlan } from './download.ts';
export { DataError } from './errors.ts';
export { BUILTINS, MNIST_CLASSES, FASHION_CLASSES } from './builtins.ts';
