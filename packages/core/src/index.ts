export const marker = 'src';
