export { ADDON_FILE, addonAvailable, addonPath, loadAddon, ONEDNN_INSTALL_HINT, type OnednnAddon } from './addon.js';
export { nativeKernels, registerOnednnBackend, type OnednnOptions } from './backend.js';
export { ONEDNN } from './kernelUtil.js';
export { batchNormTraining, fusedBatchNormSupported } from './batchNorm.js';
export { conv2dResidual, conv2dResidualSupported, type Conv2DResidualAttrs } from './conv.js';
