/** How the explorer lays the embeddings out in 2-D (`--map`). */
export const MAP_METHODS = ['auto', 'umap', 'pca'] as const;
export type MapMethod = (typeof MAP_METHODS)[number];
