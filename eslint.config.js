// @ts-check
// One flat config for the whole workspace. Type-checked rules matter here: a floating promise in
// network code is a lost error or an unfenced write.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/reports/**', '**/coverage/**', '**/.turbo/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportDefaultDeclaration',
          message: 'Use named exports (house style 6).',
        },
      ],
    },
  },
  {
    // The dependency rule (docs/architecture.md): the four libraries never import each other, and
    // testkit only from their tests and benches. Apps compose them.
    files: ['packages/{net-health,consul-lock,aws-discovery,route-switcher}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nat-ha/net-health',
                '@nat-ha/consul-lock',
                '@nat-ha/aws-discovery',
                '@nat-ha/route-switcher',
                '**/packages/*/src/**',
                '../../*/src/**',
              ],
              message:
                'The four libraries never import each other (docs/architecture.md); an app composes them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/{net-health,consul-lock,aws-discovery,route-switcher}/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nat-ha/*', '**/packages/*/src/**', '../../*/src/**'],
              message:
                'A library imports no other @nat-ha package at run time (docs/architecture.md); testkit only in tests.',
            },
          ],
        },
      ],
    },
  },
  {
    // testkit is a run-time dependency of the lab only: the shipped apps' sources never import it.
    files: ['apps/{nat-agent,bootstrap}/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nat-ha/testkit', '@nat-ha/testkit/*'],
              message: 'testkit is a run-time dependency of the lab only (docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // Config files must default-export.
    files: ['**/*.config.ts', '**/*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests may use loose typing on fixtures, never floating promises.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
